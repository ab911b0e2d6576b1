"""An opinion as an official document: addressed to who referred it, signed by the council's president."""

from __future__ import annotations

from flask_babel import gettext as _

from participation.core.documents import Document, issue
from participation.core.french import de
from participation.core.urls import external_url
from participation.councils.documents import president_signature
from participation.extensions import db
from participation.referrals.models import Referral, ReferralKind
from participation.territory.models import Department


def opinion_document(referral: Referral) -> Document:
    opinion = referral.opinion
    addressee = []
    if referral.kind != ReferralKind.self_referral:
        addressee.append(referral.referred_by)
        department = db.session.get(Department, referral.department_id) if referral.department_id else None
        if department is not None:
            addressee.append(department.name)
    return issue("AVIS", opinion, title=_("Avis %(council)s : %(subject)s", council=de(referral.council.name), subject=referral.subject),
                 url=external_url("referrals.opinion", referral_id=referral.id), addressee=addressee,
                 signature=president_signature(referral.council))
