"""ratings.tasks: ratings_recompute_task rates what the import commands loaded, and export_ratings reads it back."""
import io
import json

import pytest
from django.core.management import call_command

from ratings.tasks import ratings_recompute_task

PROVIDERS = """slug,name,name_en,city,founded_year,platforms,categories,services,fee_min,fee_max,international_brands,warehouse_area_m2,website
alpha,杭州云启电商,Hangzhou Yunqi E-commerce,杭州,2015,tmall|jd,apparel,operation|warehousing,10000,30000,2,5000,https://alpha.example.com
beta,上海鼎盛网络科技,Shanghai Dingsheng Network,上海,2018,douyin,beauty,operation,8000,20000,0,0,
gamma,广州拓维品牌管理,Guangzhou Tuowei Brands,广州,2020,tmall,food,operation,,,0,0,
"""

ENGAGEMENTS = """provider_slug,platform,store_external_id,store_name,category,start_date,end_date
alpha,tmall,A1,甲旗舰店,apparel,2024-01-01,
alpha,tmall,A2,乙旗舰店,apparel,2024-01-01,
alpha,jd,A3,丙自营店,apparel,2024-01-01,
beta,douyin,B1,丁抖音小店,beauty,2024-06-01,
gamma,tmall,G1,戊旗舰店,food,2025-01-01,
"""

REVIEWS = """provider_slug,platform,store_external_id,rating,created_at,status,title,body,effect,communication,professionalism,responsiveness
alpha,tmall,A1,5,2025-06-30,published,很专业,团队响应快,5,5,5,4
alpha,tmall,A2,1,2025-06-10,malicious,差评,同行恶意差评,,,,
alpha,jd,A3,2,2025-06-12,pending,一般,待审核,,,,
beta,douyin,B1,4,2024-05-01,published,早期评价,合作开始前的评价,,,,
"""

PERFORMANCE_HEADER = (
    "platform,store_external_id,period,product_score,logistics_score,service_score,gmv,orders,complaint_rate,"
    "refund_rate,on_time_ship_rate,after_sales_response_hours\n"
)


def performance_csv():
    rows = []
    for month in ("2025-04", "2025-05", "2025-06"):
        for platform, store, score in (("tmall", "A1", "4.00"), ("tmall", "A2", "4.00"), ("jd", "A3", "4.00"),
                                       ("douyin", "B1", "3.00")):
            rows.append(f"{platform},{store},{month},{score},{score},{score},120000.00,900,0.0100,0.0300,0.9900,4.5")
    return PERFORMANCE_HEADER + "\n".join(rows) + "\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def export(fmt):
    out = io.StringIO()
    call_command("export_ratings", "--period", "2025-06", "--format", fmt, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_imported_files_rate_and_export_exactly(tmp_path):
    quiet = io.StringIO()
    call_command("import_providers", write(tmp_path, "p.csv", PROVIDERS), stdout=quiet)
    call_command("import_engagements", write(tmp_path, "e.csv", ENGAGEMENTS), stdout=quiet)
    call_command("import_reviews", write(tmp_path, "r.csv", REVIEWS), stdout=quiet)
    call_command("import_performance", write(tmp_path, "perf.csv", performance_csv()), stdout=quiet)

    result = ratings_recompute_task.delay("2025-06-30").get()
    assert result == {"period": "2025-06", "as_of": "2025-06-30", "providers": 3, "rated": 2, "events": 2}

    # alpha: R = (17.5 + 5) / 6 = 3.75 (malicious and pending excluded), P = 4 → S = 3.90, 3 active stores → 3★.
    # beta: its only review predates the engagement (unverified) → R = 3.5; P = 3 → S = 3.20 → probation.
    # gamma: no performance rows → unrated.
    assert export("csv") == (
        "slug,period,composite,reviews,performance,active_stores,excellent_stores,candidate_tier,tier,status,at_risk\n"
        "alpha,2025-06,3.90,3.7500,4.0000,3,0,3,3,active,False\n"
        "beta,2025-06,3.20,3.5000,3.0000,1,0,,,probation,False\n"
        "gamma,2025-06,,3.5000,,1,0,,,active,False\n"
    )
    assert json.loads(export("json"))[0] == {
        "slug": "alpha", "period": "2025-06", "composite": "3.90", "reviews": "3.7500", "performance": "4.0000",
        "active_stores": 3, "excellent_stores": 0, "candidate_tier": 3, "tier": 3, "status": "active",
        "at_risk": False,
    }


@pytest.mark.django_db
def test_reimport_and_rerun_change_nothing(tmp_path):
    quiet = io.StringIO()
    files = [("import_providers", "p.csv", PROVIDERS), ("import_engagements", "e.csv", ENGAGEMENTS),
             ("import_reviews", "r.csv", REVIEWS), ("import_performance", "perf.csv", performance_csv())]
    for command, name, text in files:
        call_command(command, write(tmp_path, name, text), stdout=quiet)
    ratings_recompute_task.delay("2025-06-30").get()
    first = export("csv")
    for command, name, text in files:
        call_command(command, write(tmp_path, name, text), stdout=quiet)
    ratings_recompute_task.delay("2025-06-30").get()
    assert export("csv") == first
