"""Indicators and their measurements: entry with its refusals, CSV import (all or nothing),
the trend chart (an SVG with its data table) and the measurements due."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from participation.core.errors import ValidationError
from participation.core.eventlog import record
from participation.core.permissions import require
from participation.extensions import db
from participation.plans.models import PERIOD_MONTHS, Action, Direction, Indicator, Measurement, Periodicity, Plan, PlanNode
from participation.plans.services import clean
from flask_babel import gettext as _

from participation.core.numbers import whole_euros
from flask_babel import lazy_gettext as _l

MAX_IMPORT_LINES = 5000


def period_start(day: date, periodicity: Periodicity) -> date:
    """The first day of the period (month, quarter, half-year, year) that holds ``day``."""
    months = PERIOD_MONTHS[Periodicity(periodicity)]
    month = ((day.month - 1) // months) * months + 1
    return date(day.year, month, 1)


def previous_period(day: date, periodicity: Periodicity) -> date:
    """The first day of the period before the one holding ``day``."""
    months = PERIOD_MONTHS[Periodicity(periodicity)]
    start = period_start(day, periodicity)
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_label(start: date, periodicity: Periodicity) -> str:
    periodicity = Periodicity(periodicity)
    if periodicity == Periodicity.yearly:
        return str(start.year)
    if periodicity == Periodicity.half_yearly:
        if start.month == 1:
            return _("1er semestre %(year)s", year=start.year)
        return _("2e semestre %(year)s", year=start.year)
    if periodicity == Periodicity.quarterly:
        n = (start.month - 1) // 3 + 1
        return {1: _("1er trimestre %(year)s", year=start.year), 2: _("2e trimestre %(year)s", year=start.year),
                3: _("3e trimestre %(year)s", year=start.year), 4: _("4e trimestre %(year)s", year=start.year)}[n]
    return f"{start.month:02d}/{start.year}"


def _number(value, field_name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(str(value).replace("\u202f", "").replace(" ", "").replace(",", "."))
    except ValueError:
        raise ValidationError(_("Indiquez un nombre, par exemple 12,5."), field=field_name) from None
    if number != number or abs(number) > 1e12:
        raise ValidationError(_("Ce nombre est hors des limites admises."), field=field_name)
    return number


def parse_targets(text: str) -> dict[str, float]:
    """« 2028 : 40 » per line (or « 2028=40; 2035=60 ») → {"2028": 40.0}."""
    targets: dict[str, float] = {}
    for part in (text or "").replace(";", "\n").splitlines():
        part = part.strip()
        if not part:
            continue
        year, sep, value = part.replace("=", ":").partition(":")
        if not sep or not year.strip().isdigit() or not 2000 <= int(year) <= 2100:
            raise ValidationError(_("« %(part)s » : écrivez une cible par ligne sous la forme « 2028 : 40 ».", part=part), field="targets")
        targets[str(int(year))] = _number(value.strip(), "targets")
    return targets


def save_indicator(indicator: Indicator | None, *, plan: Plan, actor, code: str, name: str, node: PlanNode | None = None,
                   action: Action | None = None, unit: str = "", direction=Direction.higher, baseline_value=None,
                   baseline_date: date | None = None, targets: dict | None = None, periodicity=Periodicity.yearly,
                   source: str = "", owner=None, min_value=None, max_value=None) -> Indicator:
    require(actor, "plans.manage", plan)
    code = clean(code, field_name="code", required=_("Donnez un code à l'indicateur (utilisé dans les imports)."), limit=40)
    name = clean(name, field_name="name", required=_("Nommez l'indicateur."))
    if (node is None) == (action is None):
        raise ValidationError(_("Un indicateur suit un objectif ou une action."), field="node")
    min_value, max_value = _number(min_value, "min_value"), _number(max_value, "max_value")
    if min_value is not None and max_value is not None and min_value >= max_value:
        raise ValidationError(_("Le minimum est inférieur au maximum."), field="max_value")
    taken = db.session.scalar(sa.select(Indicator.id).where(Indicator.plan_id == plan.id, Indicator.code == code,
                                                            Indicator.id != getattr(indicator, "id", 0)))
    if taken is not None:
        raise ValidationError(_("Un autre indicateur du plan porte déjà ce code."), field="code")
    values = dict(code=code, name=name, node_id=getattr(node, "id", None), action_id=getattr(action, "id", None),
                  unit=clean(unit, field_name="unit", limit=40), direction=Direction(direction),
                  baseline_value=_number(baseline_value, "baseline_value"), baseline_date=baseline_date, targets=targets or {},
                  periodicity=Periodicity(periodicity), source=clean(source, field_name="source"),
                  owner_id=getattr(owner, "id", None), min_value=min_value, max_value=max_value)
    if indicator is None:
        indicator = Indicator(plan_id=plan.id, **values)
        db.session.add(indicator)
    else:
        for key, value in values.items():
            setattr(indicator, key, value)
    db.session.flush()
    record("plan.indicator_saved", plan, actor, {"indicator_id": indicator.id, "code": code})
    return indicator


def _check_measurement(indicator: Indicator, measured_on: date | None, value: float | None, *, today: date) -> date:
    if measured_on is None:
        raise ValidationError(_("Indiquez la date de la mesure."), field="measured_on")
    if measured_on > today:
        raise ValidationError(_("Une mesure ne peut être datée dans le futur."), field="measured_on")
    if value is None:
        raise ValidationError(_("Indiquez la valeur mesurée."), field="value")
    if indicator.min_value is not None and value < indicator.min_value or indicator.max_value is not None and value > indicator.max_value:
        low = "" if indicator.min_value is None else f"{indicator.min_value:g}"
        high = "" if indicator.max_value is None else f"{indicator.max_value:g}"
        bounds = _("entre %(low)s et %(high)s", low=low, high=high) if low and high else (_("au moins %(low)s", low=low) if low else _("au plus %(high)s", high=high))
        raise ValidationError(_("La valeur est hors de l'intervalle déclaré pour cet indicateur (%(bounds)s).", bounds=bounds), field="value")
    return period_start(measured_on, indicator.periodicity)


def add_measurement(indicator: Indicator, *, measured_on: date | None, value, comment: str | None = None, actor,
                    today: date | None = None) -> Measurement:
    require(actor, "plans.measure", indicator)
    value = _number(value, "value")
    start = _check_measurement(indicator, measured_on, value, today=today or date.today())
    taken = db.session.scalar(sa.select(Measurement.id).where(Measurement.indicator_id == indicator.id, Measurement.period_start == start))
    if taken is not None:
        raise ValidationError(_("Une mesure existe déjà pour la période « %(period_label)s ».", period_label=period_label(start, indicator.periodicity)),
                              field="measured_on")
    measurement = Measurement(indicator_id=indicator.id, period_start=start, measured_on=measured_on, value=value,
                              comment=clean(comment, field_name="comment", limit=500) or None, author_id=getattr(actor, "id", None))
    db.session.add(measurement)
    db.session.flush()
    record("plan_indicator.measured", indicator, actor, {"period_start": start.isoformat(), "value": value, "plan_id": indicator.plan_id})
    return measurement


@dataclass
class ImportProblem:
    line: int
    message: str


class ImportRefused(ValidationError):
    def __init__(self, problems: list[ImportProblem]):
        from flask_babel import ngettext

        super().__init__(ngettext("Le fichier n'a pas été importé : %(num)d ligne à corriger.",
                                  "Le fichier n'a pas été importé : %(num)d lignes à corriger.", len(problems)), field="file")
        self.problems = problems


def import_measurements(plan: Plan, content: bytes, *, actor, today: date | None = None) -> int:
    """Columns: code, date (AAAA-MM-JJ or JJ/MM/AAAA), valeur, commentaire. Every line is checked; one error refuses the file."""
    require(actor, "plans.manage", plan)
    today = today or date.today()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Le fichier doit être un CSV encodé en UTF-8."), field="file") from None
    delimiter = ";" if text.count(";") >= text.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    first_line = 1
    if rows and rows[0] and rows[0][0].strip().lower() in ("code", "indicateur"):
        rows, first_line = rows[1:], 2
    if not rows:
        raise ValidationError(_("Le fichier ne contient aucune mesure."), field="file")
    if len(rows) > MAX_IMPORT_LINES:
        raise ValidationError(_("%(MAX_IMPORT_LINES)s lignes au plus par import.", MAX_IMPORT_LINES=MAX_IMPORT_LINES), field="file")
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator).where(Indicator.plan_id == plan.id))}
    existing = set(db.session.execute(sa.select(Measurement.indicator_id, Measurement.period_start)
                                      .join(Indicator, Indicator.id == Measurement.indicator_id).where(Indicator.plan_id == plan.id)).all())
    problems: list[ImportProblem] = []
    ready = []
    for number, row in enumerate(rows, start=first_line):
        cells = [c.strip() for c in row] + ["", "", "", ""]
        code, day_text, value_text, comment = cells[:4]
        if not any(cells):
            continue
        indicator = indicators.get(code)
        try:
            if indicator is None:
                raise ValidationError(_("aucun indicateur du plan n'a le code « %(code)s »", code=code))
            measured_on = _parse_date(day_text)
            value = _number(value_text, "value")
            start = _check_measurement(indicator, measured_on, value, today=today)
            if (indicator.id, start) in existing:
                raise ValidationError(_("une mesure existe déjà pour la période « %(period_label)s »", period_label=period_label(start, indicator.periodicity)))
            if len(comment) > 500:
                raise ValidationError(_("commentaire de plus de 500 caractères"))
        except ValidationError as error:
            problems.append(ImportProblem(number, error.message[0].lower() + error.message[1:]))
            continue
        existing.add((indicator.id, start))
        ready.append(Measurement(indicator_id=indicator.id, period_start=start, measured_on=measured_on, value=value,
                                 comment=comment or None, author_id=getattr(actor, "id", None)))
    if problems:
        raise ImportRefused(problems)
    db.session.add_all(ready)
    db.session.flush()
    record("plan.measurements_imported", plan, actor, {"count": len(ready)})
    return len(ready)


def _parse_date(text: str) -> date:
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("date « %(text)s » illisible (AAAA-MM-JJ ou JJ/MM/AAAA)", text=text)) from None


# --- Reading and charts ------------------------------------------------------------


def indicators_of(plan: Plan) -> list[Indicator]:
    return list(db.session.scalars(sa.select(Indicator).where(Indicator.plan_id == plan.id, Indicator.archived.is_(False))
                                   .order_by(Indicator.code)))


def measurements_by_indicator(indicator_ids: list[int]) -> dict[int, list[Measurement]]:
    """Every measurement of these indicators, oldest first, in one query."""
    result: dict[int, list[Measurement]] = {i: [] for i in indicator_ids}
    if not indicator_ids:
        return result
    rows = db.session.scalars(sa.select(Measurement).where(Measurement.indicator_id.in_(indicator_ids))
                              .order_by(Measurement.indicator_id, Measurement.period_start))
    for m in rows:
        result[m.indicator_id].append(m)
    return result


@dataclass
class Chart:
    """An accessible line chart: the SVG draws, the data table beside it tells the same figures."""

    indicator: Indicator
    points: list[tuple[float, float, Measurement]]  # x, y in the drawing, and the measurement
    target: tuple[float, float, int, float] | None  # x, y, year, value
    baseline_y: float | None
    # The planned path: the baseline, then each year's target, as (x, y, year, value); empty without targets.
    trajectory: list[tuple[float, float, int, float]]
    width: int
    height: int
    minimum: float
    maximum: float
    latest: Measurement | None

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _unused in self.points)

    @property
    def trajectory_line(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.trajectory)

    @property
    def intermediate_targets(self) -> list[tuple[float, float, int, float]]:
        """The targets before the final one (the baseline excluded): the path's steps."""
        steps = self.trajectory[1:] if self.indicator.baseline_value is not None and self.indicator.baseline_date else self.trajectory
        return steps[:-1]

    @property
    def on_track(self) -> bool | None:
        """Whether the latest value has reached the target, the direction considered."""
        if self.latest is None or self.indicator.final_target is None:
            return None
        target = self.indicator.final_target[1]
        return self.latest.value >= target if self.indicator.direction == Direction.higher else self.latest.value <= target


def chart(indicator: Indicator, measurements: list[Measurement], *, width: int = 480, height: int = 180) -> Chart:
    values = [m.value for m in measurements]
    final = indicator.final_target
    targets = sorted((int(year), float(value)) for year, value in (indicator.targets or {}).items())
    extra = [v for v in (indicator.baseline_value,) if v is not None] + [v for _, v in targets]
    low, high = min(values + extra, default=0.0), max(values + extra, default=1.0)
    if low == high:
        low, high = low - 1, high + 1
    pad = 20
    years = [m.period_start.year + (m.period_start.month - 1) / 12 for m in measurements]
    first = min(years + ([indicator.baseline_date.year] if indicator.baseline_date else []), default=2000)
    first = min([first] + [year for year, _ in targets])
    last = max(years + [year for year, _ in targets], default=first + 1)
    if last == first:
        last = first + 1

    def x(year: float) -> float:
        return pad + (year - first) / (last - first) * (width - 2 * pad)

    def y(value: float) -> float:
        return height - pad - (value - low) / (high - low) * (height - 2 * pad)

    points = [(x(t), y(m.value), m) for t, m in zip(years, measurements, strict=True)]
    target = (x(final[0]), y(final[1]), final[0], final[1]) if final else None
    baseline = y(indicator.baseline_value) if indicator.baseline_value is not None else None
    path = ([(indicator.baseline_date.year, float(indicator.baseline_value))]
            if indicator.baseline_value is not None and indicator.baseline_date else []) + targets
    trajectory = [(x(year), y(value), year, value) for year, value in path] if targets else []
    return Chart(indicator, points, target, baseline, trajectory, width, height, low, high, measurements[-1] if measurements else None)


def measurements_due(today: date | None = None) -> list[tuple[Indicator, date]]:
    """Indicators whose last complete period has no measurement, with that period's start: what their owners are reminded of."""
    from participation.plans.models import PlanState

    today = today or date.today()
    result = []
    indicators = db.session.scalars(sa.select(Indicator).join(Plan, Plan.id == Indicator.plan_id).where(
        Plan.state.in_([PlanState.adopted, PlanState.running, PlanState.evaluation]), Indicator.archived.is_(False),
        Indicator.owner_id.is_not(None)).order_by(Indicator.id)).all()
    if not indicators:
        return result
    wanted = {i.id: previous_period(today, i.periodicity) for i in indicators}
    have = set(db.session.execute(sa.select(Measurement.indicator_id, Measurement.period_start).where(
        Measurement.indicator_id.in_(list(wanted)), Measurement.period_start.in_(set(wanted.values())))).all())
    for indicator in indicators:
        if (indicator.id, wanted[indicator.id]) not in have:
            result.append((indicator, wanted[indicator.id]))
    return result


def measurements_due_for(user, today: date | None = None) -> list[tuple[Indicator, date]]:
    """The measurements ``user`` should enter: for the staff queue."""
    return [(i, p) for i, p in measurements_due(today) if i.owner_id == getattr(user, "id", None)]


# Figures for the back office's indicators and the bilan (see ``participation/staff/indicators.py``) ------------

from participation.staff.indicators import Figure, IndicatorQuery, register_indicator  # noqa: E402


def _euros(cents: int | None) -> int:
    return round((cents or 0) / 100)


@register_indicator("plans", _l("Plans territoriaux"), order=70)
def plans_figures(query: IndicatorQuery) -> list[Figure]:
    """Two queries: the actions of the plans in force during the year by status, their budget by funder."""
    from participation.plans.models import ActionFunding, ActionStatus, Funder, PlanState, action_communes

    actions = sa.select(Action.id).join(Plan, Plan.id == Action.plan_id).where(
        Action.archived.is_(False), Plan.state != PlanState.drafting, Plan.start_year <= query.year, Plan.end_year >= query.year)
    if query.commune_id:
        actions = actions.where(sa.or_(
            Action.id.in_(sa.select(action_communes.c.action_id).where(action_communes.c.commune_id == query.commune_id)),
            ~Action.id.in_(sa.select(action_communes.c.action_id))))
    by_status = dict(db.session.execute(
        sa.select(Action.status, sa.func.count(Action.id)).where(Action.id.in_(actions)).group_by(Action.status)).all())
    by_funder = {funder: (planned, spent) for funder, planned, spent in db.session.execute(
        sa.select(ActionFunding.funder, sa.func.sum(ActionFunding.planned_cents), sa.func.sum(ActionFunding.spent_cents))
        .where(ActionFunding.action_id.in_(actions)).group_by(ActionFunding.funder))}
    status_rows = [(status.label, by_status.get(status, 0)) for status in ActionStatus]
    funder_rows = [(funder.label, _euros(by_funder[funder][0]), _euros(by_funder[funder][1])) for funder in Funder if funder in by_funder]
    planned, spent = sum(r[1] for r in funder_rows), sum(r[2] for r in funder_rows)
    from participation.staff.indicators import percent

    return [
        Figure("plan_actions_by_status", _("Actions des plans en vigueur par état"), (_("État"), _("Actions")), status_rows,
               summary=[(_("Actions"), str(sum(r[1] for r in status_rows)))],
               note=_("Actions des plans adoptés (ou en consultation) dont la période comprend l'année ; "
                    "une action sans commune concerne tout le territoire.")),
        Figure("plan_budget_by_funder", _("Budget des actions : prévu et dépensé par financeur"), (_("Financeur"), _("Prévu (€)"), _("Dépensé (€)")),
               funder_rows, summary=[(_("Prévu"), whole_euros(planned)), (_("Dépensé"), whole_euros(spent)),
                                     (_("Part dépensée"), percent(spent, planned))],
               note=_("Montants cumulés des actions des plans en vigueur dans l'année (les financements ne sont pas ventilés par année).")),
    ]
