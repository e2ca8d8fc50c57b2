"""Create sign-in accounts for trying the merchant pages on demo data: a merchant and a provider's staff member."""
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from accounts.services import account_email_set_verified
from claims.demo import claims_demo
from inquiries.demo import demo_inquiries
from portal.demo import portal_demo_team
from profiles.demo import profiles_demo
from providers.models import Engagement, Provider
from providers.selectors import DIRECTORY_ORDERING, listed_q
from ratings.selectors import engagement_reviewed


class Command(BaseCommand):
    help = (
        "Create (or reset) a merchant account linked to stores with engagements that have no review yet, and a staff "
        "account of the best-rated listed provider (the directory's first: highest tier, then composite), each with a "
        "confirmed e-mail address (USER@example.com) to sign in "
        "with. Prints the addresses and password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--merchant", default="demo_merchant", help="merchant user name (default demo_merchant)")
        parser.add_argument("--staff", default="demo_provider", help="provider staff user name (default demo_provider)")
        parser.add_argument("--password", help="password for both (default: a random one, printed)")
        parser.add_argument("--stores", type=int, default=3, help="how many stores the merchant owns (default 3)")

    @transaction.atomic
    def handle(self, *args, merchant, staff, password, stores, **options):
        listed = Provider.objects.filter(listed_q())
        # The best-rated provider is the directory's first (tier, then composite), so the demo staff account owns
        # the provider a visitor sees at the top, even when a 5★ provider's composite beats a 6★ one's.
        provider = listed.exclude(score=None).order_by(*DIRECTORY_ORDERING).first()
        if provider is None:
            raise CommandError("No rated providers: run `manage.py seed_demo` first.")
        password = password or secrets.token_urlsafe(9)
        User = get_user_model()
        accounts = {}
        emails = {}
        for username, kind in ((merchant, Account.Kind.MERCHANT), (staff, Account.Kind.PROVIDER_STAFF)):
            user, _created = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.save()
            # The site signs in by e-mail (django-allauth) and wants it confirmed: no mail server in `make run`.
            emails[username] = f"{username}@example.com".lower()
            account_email_set_verified(user=user, email=emails[username], kind=kind)
            accounts[username] = user
        # Stores of listed providers whose engagement is not reviewed yet, so there is something to review. Seeded
        # reviews have no engagement link, so "reviewed" is the site's rule (engagement_reviewed): any review of the
        # provider from the store within the engagement's dates or today.
        today = timezone.localdate()
        engagements = (
            Engagement.objects.filter(provider__in=listed, start_date__lte=today)
            .exclude(engagement_reviewed(on=today))
            .select_related("provider", "store")
            .order_by("-provider__score", "pk")
        )
        # The demo seed reviews nearly every engagement, so the few left may share providers: different providers
        # first, then any other unreviewed ones.
        candidates = list(engagements)
        chosen, seen = [], set()
        for engagement in candidates:
            if len(chosen) < stores and engagement.provider_id not in seen:
                seen.add(engagement.provider_id)
                chosen.append(engagement)
        chosen += [e for e in candidates if e not in chosen][: stores - len(chosen)]
        if len(chosen) < stores:
            self.stderr.write(f"only {len(chosen)} unreviewed engagements of listed providers to offer")
        # A reset: stores linked by an earlier run may have been reviewed since. The stores come through verified
        # claims (claims.demo), with one pending claim of each kind for the /me/ pages and the admin.
        provider.members.add(accounts[staff])
        claim_lines = claims_demo(merchant=accounts[merchant], staff=accounts[staff],
                                  stores=[e.store for e in chosen])
        self.stdout.write(f"merchant  {emails[merchant]} / {password}  may review: "
                          + ", ".join(f"{e.provider.name} ({e.store.name})" for e in chosen))
        self.stdout.write(f"provider  {emails[staff]} / {password}  answers reviews of {provider.name}")
        for line in claim_lines:
            self.stdout.write(line)
        # The demo staff account owns the provider's team: a manager, a member and an open invitation beside it.
        for line in portal_demo_team(provider=provider, owner=accounts[staff], password=password):
            self.stdout.write(line)
        # What the profile, credentials and cases pages and the graders' queues show (profiles.demo).
        for line in profiles_demo(provider=provider, owner=accounts[staff]):
            self.stdout.write(line)
        # Requests for proposals in every state (inquiries.demo): the merchant's /requests/ and the portal's 需求.
        made = demo_inquiries(merchant=accounts[merchant], provider=provider, staff=accounts[staff])
        self.stdout.write("requests  " + ", ".join(f"{state} #{pk}" for state, pk in made.items()))
