# The conduct ledger: policy, violations, reinstatements, complaints, appeals, audit (Django 5.2).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import common.uploads


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('providers', '0012_provider_accepting_new_clients'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Complaint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('type', models.CharField(choices=[('over_promise', '过度承诺（保证销量、流量、排名或 ROI）'), ('store_access', '合作结束后未按期交还店铺权限或数据'), ('refund_overdue', '应退款项 30 天内未退'), ('complaint_ignored', '商家投诉 3 日内未跟进'), ('fake_reviews', '刷单或虚假评价（经核实）'), ('unauthorised_case', '未经授权展示客户案例'), ('fraud', '欺诈')], max_length=20, verbose_name='投诉类型')),
                ('description', models.TextField(verbose_name='投诉内容')),
                ('evidence', models.FileField(blank=True, max_length=200, storage=common.uploads.private_storage, upload_to=common.uploads.evidence_upload_to, verbose_name='证明材料')),
                ('evidence_type', models.CharField(blank=True, max_length=40, verbose_name='材料类型')),
                ('status', models.CharField(choices=[('open', '待答复'), ('answered', '已答复'), ('unanswered', '逾期未答复'), ('upheld', '投诉成立'), ('dismissed', '投诉驳回')], db_index=True, default='open', max_length=10, verbose_name='状态')),
                ('answer_due', models.DateField(verbose_name='答复截止日期')),
                ('answer', models.TextField(blank=True, verbose_name='服务商答复')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='答复时间')),
                ('decision_reason', models.TextField(blank=True, verbose_name='处理理由')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='处理时间')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='提交时间')),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='答复人')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='处理人')),
                ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to='providers.engagement', verbose_name='合作')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='complaints', to=settings.AUTH_USER_MODEL, verbose_name='投诉商家')),
                ('provider', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='complaints', to='providers.provider', verbose_name='服务商')),
            ],
            options={
                'verbose_name': '商家投诉',
                'verbose_name_plural': '商家投诉',
                'ordering': ['-created_at', '-pk'],
                'permissions': [('decide_complaint', '可处理商家投诉')],
            },
        ),
        migrations.CreateModel(
            name='ConductPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(unique=True, verbose_name='版本')),
                ('name', models.CharField(max_length=80, verbose_name='名称')),
                ('is_active', models.BooleanField(default=False, verbose_name='生效中')),
                ('over_promise_points', models.PositiveSmallIntegerField(verbose_name='过度承诺 分值')),
                ('store_access_points', models.PositiveSmallIntegerField(verbose_name='未交还店铺权限 分值')),
                ('refund_overdue_points', models.PositiveSmallIntegerField(verbose_name='退款逾期 分值')),
                ('complaint_ignored_points', models.PositiveSmallIntegerField(verbose_name='投诉未跟进 分值')),
                ('fake_reviews_points', models.PositiveSmallIntegerField(verbose_name='刷单或虚假评价 分值')),
                ('unauthorised_case_points', models.PositiveSmallIntegerField(verbose_name='未经授权展示案例 分值')),
                ('fraud_points', models.PositiveSmallIntegerField(verbose_name='欺诈 分值')),
                ('warning_at', models.PositiveSmallIntegerField(verbose_name='服务警告 积分')),
                ('hidden_at', models.PositiveSmallIntegerField(verbose_name='服务隐藏 积分')),
                ('hidden_days', models.PositiveSmallIntegerField(verbose_name='服务隐藏 天数')),
                ('frozen_at', models.PositiveSmallIntegerField(verbose_name='新签冻结 积分')),
                ('delisted_at', models.PositiveSmallIntegerField(verbose_name='服务下架 积分')),
                ('cleared_at', models.PositiveSmallIntegerField(verbose_name='清退 积分')),
                ('answer_days', models.PositiveSmallIntegerField(verbose_name='投诉答复期限（天）')),
                ('appeal_days', models.PositiveSmallIntegerField(verbose_name='申诉期限（天）')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
            ],
            options={
                'verbose_name': '违规积分规则',
                'verbose_name_plural': '违规积分规则',
                'ordering': ['-version'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('is_active',), name='conduct_conductpolicy_one_active'), models.CheckConstraint(condition=models.Q(('cleared_at__gt', models.F('delisted_at')), ('delisted_at__gt', models.F('frozen_at')), ('frozen_at__gt', models.F('hidden_at')), ('hidden_at__gt', models.F('warning_at')), ('hidden_days__gt', 0), ('warning_at__gt', 0)), name='conduct_conductpolicy_ladder_ordered', violation_error_message='处罚门槛须依次递增：警告 < 隐藏 < 冻结 < 下架 < 清退。')],
            },
        ),
        migrations.CreateModel(
            name='Reinstatement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('on', models.DateField(verbose_name='恢复日期')),
                ('reason', models.TextField(verbose_name='理由')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('granted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('provider', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reinstatements', to='providers.provider', verbose_name='服务商')),
            ],
            options={
                'verbose_name': '恢复上架',
                'verbose_name_plural': '恢复上架',
                'ordering': ['-on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Violation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('type', models.CharField(choices=[('over_promise', '过度承诺（保证销量、流量、排名或 ROI）'), ('store_access', '合作结束后未按期交还店铺权限或数据'), ('refund_overdue', '应退款项 30 天内未退'), ('complaint_ignored', '商家投诉 3 日内未跟进'), ('fake_reviews', '刷单或虚假评价（经核实）'), ('unauthorised_case', '未经授权展示客户案例'), ('fraud', '欺诈')], max_length=20, verbose_name='违规类型')),
                ('occurred_on', models.DateField(verbose_name='发生日期')),
                ('decided_on', models.DateField(db_index=True, verbose_name='认定日期')),
                ('reference', models.CharField(max_length=64, verbose_name='编号')),
                ('status', models.CharField(choices=[('upheld', '成立'), ('withdrawn', '已撤销')], default='upheld', max_length=10, verbose_name='状态')),
                ('points', models.PositiveSmallIntegerField(verbose_name='扣分')),
                ('source', models.CharField(choices=[('complaint', '商家投诉'), ('admin', '后台录入'), ('import', '文件导入'), ('api', '合作方接口')], max_length=10, verbose_name='来源')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('complaint', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='violation', to='conduct.complaint', verbose_name='投诉')),
                ('provider', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='violations', to='providers.provider', verbose_name='服务商')),
            ],
            options={
                'verbose_name': '违规记录',
                'verbose_name_plural': '违规记录',
                'ordering': ['-decided_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ConductEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('violation_recorded', '记录违规'), ('violation_changed', '修改违规'), ('violation_withdrawn', '撤销违规'), ('sanction_changed', '处罚变更'), ('reinstated', '恢复上架'), ('complaint_filed', '提交投诉'), ('complaint_answered', '答复投诉'), ('complaint_unanswered', '投诉逾期未答复'), ('complaint_upheld', '投诉成立'), ('complaint_dismissed', '投诉驳回'), ('appeal_filed', '提交申诉'), ('appeal_granted', '申诉成立'), ('appeal_refused', '申诉驳回')], max_length=24, verbose_name='类型')),
                ('from_value', models.CharField(blank=True, max_length=40, verbose_name='原值')),
                ('to_value', models.CharField(blank=True, max_length=40, verbose_name='新值')),
                ('reason', models.TextField(blank=True, verbose_name='理由')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='时间')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('complaint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='conduct.complaint', verbose_name='投诉')),
                ('provider', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conduct_events', to='providers.provider', verbose_name='服务商')),
                ('violation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='events', to='conduct.violation', verbose_name='违规记录')),
            ],
            options={
                'verbose_name': '违规积分日志',
                'verbose_name_plural': '违规积分日志',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Appeal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='申诉理由')),
                ('status', models.CharField(choices=[('pending', '待处理'), ('granted', '申诉成立'), ('refused', '申诉驳回')], default='pending', max_length=10, verbose_name='状态')),
                ('decision_reason', models.TextField(blank=True, verbose_name='处理理由')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='处理时间')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='提交时间')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='处理人')),
                ('filed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申诉人')),
                ('violation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='appeals', to='conduct.violation', verbose_name='违规记录')),
            ],
            options={
                'verbose_name': '违规申诉',
                'verbose_name_plural': '违规申诉',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='violation',
            constraint=models.UniqueConstraint(fields=('provider', 'reference'), name='conduct_violation_reference_per_provider', violation_error_message='该服务商已有此编号的违规记录。'),
        ),
        migrations.AddConstraint(
            model_name='violation',
            constraint=models.CheckConstraint(condition=models.Q(('decided_on__gte', models.F('occurred_on'))), name='conduct_violation_decided_after_occurred', violation_error_message='认定日期不能早于发生日期。'),
        ),
        migrations.AddConstraint(
            model_name='violation',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['upheld', 'withdrawn'])), name='conduct_violation_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='appeal',
            constraint=models.UniqueConstraint(fields=('violation',), name='conduct_appeal_once_per_violation', violation_error_message='该违规记录已申诉过。'),
        ),
    ]
