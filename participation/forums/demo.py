"""Demo consultations: one open with discussions, one closed with its synthesis, one pre-moderated."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from participation.accounts.models import User
from participation.core import outbox
from participation.core.demo_dates import closing, opening
from participation.core.models import utcnow
from participation.core.permissions import SYSTEM
from participation.extensions import db
from participation.forums import attachments, moderation, reading, services
from participation.forums.models import ReactionKind, ReportReason
from participation.territory.models import Commune, Theme

CHARTER = """Cette concertation est un espace d'échange respectueux.

- Restez courtois : pas d'insulte, pas d'attaque personnelle.
- Restez dans le sujet de la concertation.
- Ne publiez pas de données personnelles (les vôtres ou celles des autres).
- Pas de publicité ni de propagande électorale.

La modération peut masquer une contribution qui enfreint cette charte ; son auteur en est informé avec le motif."""


def _person(email: str, name: str, commune: Commune | None) -> User:
    from participation.accounts import services as accounts
    from participation.demo import DEMO_PASSWORD

    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = accounts.create_user(email=email, password=DEMO_PASSWORD, display_name=name)
        user.created_at = utcnow() - timedelta(days=60)
    if commune is not None:
        user.commune_id = commune.id
    return user


def load_forums_demo() -> None:
    now = utcnow()
    themes = {t.name: t for t in db.session.scalars(sa.select(Theme))}
    communes = {c.name: c for c in db.session.scalars(sa.select(Commune))}
    camille = db.session.scalar(sa.select(User).where(User.email == "habitante@demo.example"))
    people = [
        _person("jules@demo.example", "Jules B.", communes.get("Villebrune")),
        _person("amina@demo.example", "Amina", communes.get("Bellerive")),
        _person("roger@demo.example", "Roger des Essarts", communes.get("Les Essarts-Verts")),
    ]

    # An open consultation with topics, replies and reactions.
    bike = services.save_consultation(
        None,
        title="Plan vélo intercommunal",
        question="Où faut-il améliorer les trajets à vélo entre nos communes ?",
        presentation="L'agglomération prépare son **plan vélo 2027-2032** : pistes cyclables, stationnement, "
        "location longue durée.\n\nVos contributions seront lues par la direction des mobilités ; "
        "une synthèse sera publiée à la clôture.",
        charter=CHARTER,
        opens_at=opening(-10),
        closes_at=closing(20),
        themes=[t for n, t in themes.items() if n in ("Mobilités", "Transition écologique")],
        communes=[c for n, c in communes.items() if n in ("Loirande", "Villebrune", "Bellerive")],
        actor=SYSTEM,
    )
    services.publish_consultation(bike, actor=SYSTEM)
    for person in [camille, *people]:
        services.accept_charter(bike, actor=person)
    station = services.open_topic(bike, title="Une piste entre Villebrune et la gare de Loirande",
                                  body="Le trajet par la départementale est dangereux aux heures de pointe. "
                                  "Une piste séparée le long de la voie ferrée serait idéale.",
                                  theme=themes.get("Mobilités"), actor=people[0])
    with outbox.quiet(False):  # today's answer: the topic's author is told, once
        answer = services.contribute(station, body="Tout à fait d'accord, j'y passe tous les jours avec mes enfants.", actor=camille)
    services.contribute(station, body="Et il faudrait des arceaux couverts à la gare.", parent=answer, actor=people[1])
    services.react(answer, ReactionKind.support, actor=people[0])
    services.react(answer, ReactionKind.support, actor=people[1])
    services.react(answer, ReactionKind.agree, actor=people[2])
    parking = services.open_topic(bike, title="Stationnement sécurisé des vélos", body="Des box fermés près des commerces du centre.",
                                  actor=people[2])
    rude = services.contribute(parking, body="Ce sujet est idiot, comme son auteur.", actor=people[1])
    moderation.report(rude, reason=ReportReason.abusive, actor=people[2])
    services.follow(station, actor=people[2])
    attachments.add_attachment(bike, upload=_demo_file(_demo_pdf("Plan velo intercommunal 2027-2032 - dossier de concertation"), "dossier-plan-velo.pdf"),
                               title="Dossier de concertation", actor=SYSTEM)
    attachments.add_attachment(bike, upload=_demo_file(_demo_png(), "itineraires.png"), title="Les itinéraires étudiés",
                               alt_text="Schéma de trois itinéraires cyclables reliant Villebrune, Bellerive et la gare de Loirande",
                               actor=SYSTEM)

    # A closed consultation and its synthesis.
    pool = services.save_consultation(
        None,
        title="Horaires de la piscine intercommunale",
        question="Quels horaires d'ouverture pour la piscine de Loirande ?",
        presentation="La piscine rouvre après travaux : l'agglomération a consulté les usagers.",
        charter=CHARTER,
        opens_at=opening(-60),
        closes_at=closing(-15),
        themes=[t for n, t in themes.items() if n == "Culture et sport"],
        communes=[c for n, c in communes.items() if n == "Loirande"],
        actor=SYSTEM,
    )
    # Published while it was open: contributions come in, then it closes.
    pool.opens_at, pool.closes_at = opening(-60), now + timedelta(minutes=5)
    services.publish_consultation(pool, actor=SYSTEM)
    for person in people:
        services.accept_charter(pool, actor=person)
    hours = services.open_topic(pool, title="Ouvrir le dimanche après-midi", body="Beaucoup de familles ne peuvent venir que le dimanche.", actor=people[0])
    services.contribute(hours, body="Et le soir jusqu'à 21 h en semaine pour ceux qui travaillent.", actor=people[1])
    services.react(db.session.scalars(reading.thread(hours, None)).first(), ReactionKind.support, actor=people[2])
    services.close_consultation(pool, actor=SYSTEM)
    pool.closes_at = closing(-15)
    services.save_synthesis(pool, text="Les usagers demandent **une ouverture le dimanche après-midi** et des nocturnes.\n\n"
                            "La collectivité ouvrira le dimanche de 14 h à 18 h dès la rentrée, et étudie une nocturne le jeudi.", actor=SYSTEM)
    services.publish_synthesis(pool, actor=SYSTEM)

    # A pre-moderated consultation, with a contribution waiting for approval.
    plu = services.save_consultation(
        None,
        title="Révision du plan local d'urbanisme intercommunal",
        question="Comment concilier logement et espaces naturels ?",
        presentation="Première étape de la révision du PLUi.",
        charter=CHARTER,
        opens_at=opening(-2),
        closes_at=closing(40),
        premoderated=True,
        themes=[t for n, t in themes.items() if n == "Urbanisme et habitat"],
        actor=SYSTEM,
    )
    services.publish_consultation(plu, actor=SYSTEM)
    services.accept_charter(plu, actor=people[2])
    services.open_topic(plu, title="Préserver les haies bocagères", body="Les haies du bocage doivent être protégées dans le PLUi.", actor=people[2])

    # Upcoming.
    upcoming = services.save_consultation(
        None,
        title="Projet de territoire 2030",
        question="Quelles priorités pour l'agglomération ?",
        presentation="Le conseil de développement sera saisi en parallèle.",
        charter=CHARTER,
        opens_at=opening(15),
        closes_at=closing(75),
        actor=SYSTEM,
    )
    services.publish_consultation(upcoming, actor=SYSTEM)


def _demo_file(content: bytes, name: str):
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(content), filename=name)


def _demo_pdf(text: str) -> bytes:
    """A one-page PDF holding one line of text (ASCII), built by hand."""
    stream = f"BT /F1 18 Tf 60 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _demo_png(width: int = 480, height: int = 240) -> bytes:
    """A simple diagram: three coloured routes on a light background."""
    import struct
    import zlib

    background, routes = (240, 244, 238), [(31, 119, 180), (44, 160, 44), (214, 39, 40)]
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            colour = background
            for index, route in enumerate(routes):
                # Each route climbs from the left edge towards the station at the right.
                target = 40 + index * 80 + (x * (120 - 40 - index * 80)) // width
                if abs(y - target) <= 3:
                    colour = route
            row += bytes(colour)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
