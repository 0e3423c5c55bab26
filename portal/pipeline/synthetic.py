"""The synthetic generator: plausible, clearly labelled values where the real per-unit series are unreachable.

Every value it writes carries ``synthetic=True`` and ``source="SYNTETYCZNE"``; nothing here is official.

A value is multiplier × numerator / denominator, and the generator keeps both for every gmina and year; powiat
and województwo values are Σ numerator / Σ denominator over their gminy (each ratio weighted by its own
denominator), so the three levels agree and identities between indicators hold at every level. Numerators and
denominators are written to the values table (``numerator``, ``denominator``).

Denominators. Population is GUS's exact count of the same year (the official ``ludnosc`` values, P1336) where the
build has it, else the register's 2024 population with a mild drift; age groups are the register's 2020 age
shares of that population; area is the register's. A gmina created in 2025 (Szczawa, Grabówka) has no value
of its own before 2025: until then its parent (Kamienica, Supraśl) stands for the whole territory, as in the
official series (``real._no_values_before_existence``).

Drawn values (one indicator, gmina u, year t), on a transformed scale s = log(v) or, for shares with both
bounds, s = logit((v − lo) / (hi − lo)):

    s(u, t) = s(median) + s-effect of the gmina kind (type_effect)      # urban, rural, urban-rural, city
              + size_elasticity · log(population / 7,500)                # size
              + województwo effect + powiat effect                      # regional pattern (spatially smooth)
              + spread · z_u                                             # persistent unit effect
              + (log(1 + trend) + slope_u) · (t − 2020)                  # smooth national trend + unit drift
              + noise · AR(1) residual (ρ = 0.6)                         # year-to-year wobble, autocorrelated
              + log(shock_t)                                             # events the catalogue's note describes

``zeros``: the lowest values of a year are true zeros (gminy without debt, nursery or cycle path), a share that
may change by ``zeros_trend`` a year.

How an indicator is made (``Synthetic.kind`` in portal/catalogue.py):

    ratio     the value is drawn; numerator = value × denominator / multiplier. The denominator is a register
              count, or another indicator's numerator (``denominator_of``: debt ÷ revenue, loans per reader);
              with ``numerator_of`` the numerator is another indicator's and the denominator follows.
    part      numerator = r × (the whole's numerator − ``less``), r drawn within 0–1: parts never exceed wholes.
    whole     numerator = (the part's numerator) / r + ``plus``, r drawn within 0–1: capital spending contains the
              official investment spending; total revenue is the official own revenue over its share of current
              revenue, plus capital revenue.
    residual  the whole less its parts (official where they exist, their own share of the whole carried
              over the years they miss): other own revenue.
    quotient  no draw: multiplier × numerator(A) / numerator(B): capital share of spending, debt per resident.
    sum       the sum of synthetic parts. With ``balance`` (spending by division) the total follows from the
              budget: total spending = revenue − capital revenue − operating surplus + capital spending
              (current spending is current revenue less the operating surplus), so the balance (revenue −
              spending = operating surplus + capital revenue − capital spending) stays near zero unless the
              official investment spending is large; the divisions' drawn values only set their shares of it.

Official inputs (the build's official values table) condition the synthetic values: a synthetic part stays
below an official whole and a synthetic whole above an official part; gaps in an official input are filled
within each gmina (interpolated, or the unit's share of the whole carried over). A sum never adds official
values: where a part of it is official (fetched from an API), the sum keeps that part's synthetic series,
which is not published.

Missing data: only values drawn over a register count miss data of their own (some gminy a whole series, others
single years); everything made from other indicators has data exactly where its inputs have, so a part and its
whole cover the same gminy. Every draw comes from one seeded generator per indicator (seed + a stable hash of
the id), so adding an indicator never changes the values of the others.

The shared context, the denominators and the draw on the transformed scale are portal/pipeline/synthetic_model.py;
this module orders the indicators and makes each one's numerators and denominators from them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portal.catalogue import Catalogue, Indicator, Synthetic
from portal.pipeline import RELEASE_VALUE_COLUMNS
from portal.pipeline.register import NEW_GMINY_2025
from portal.pipeline.synthetic_model import (
    BASE_YEAR,
    DEFAULT_SEED,
    FIRST_YEAR_OF_NEW_GMINY,
    TYPICAL_POPULATION,
    Amount,
    Context,
    bounds_of,
    draw,
    fill_within_units,
    missing_cells,
    stable_seed,
)

SOURCE = "SYNTETYCZNE"
RESIDUAL_FLOOR = 0.05  # a residual keeps at least 5 % of its whole where official parts leave room for it


def _order(synthetic: list[Indicator]) -> list[Indicator]:
    """Indicators after the synthetic indicators they are made from (official inputs need no order)."""
    by_id = {i.id: i for i in synthetic}
    done: list[Indicator] = []
    seen: set[str] = set()
    visiting: set[str] = set()

    def visit(ind: Indicator) -> None:
        if ind.id in seen:
            return
        if ind.id in visiting:
            raise ValueError(f"synthetic indicators refer to each other in a circle ({ind.id})")
        visiting.add(ind.id)
        for ref in ind.synthetic.references:
            if ref in by_id:
                visit(by_id[ref])
        visiting.discard(ind.id)
        seen.add(ind.id)
        done.append(ind)

    for ind in synthetic:
        visit(ind)
    return done


def _adjusted_by(synthetic: list[Indicator]) -> dict[str, str]:
    """Synthetic indicators that a later step rescales (a residual's synthetic parts, a balanced sum's parts and
    capital revenue) → the step. Nothing else may be made from them, or it would go stale."""
    ids = {i.id for i in synthetic}
    out: dict[str, str] = {}
    for ind in synthetic:
        p = ind.synthetic
        if p.kind == "residual":
            out.update({x: ind.id for x in p.less if x in ids})
        if p.kind == "sum" and p.balance is not None:
            out.update({x: ind.id for x in p.of if x in ids})
    for ind in synthetic:
        for ref in ind.synthetic.references:
            if ref in out and out[ref] != ind.id:
                raise ValueError(f"{ind.id} is made from {ref}, which {out[ref]} rescales afterwards")
    return out


class _Generator:
    def __init__(self, catalogue: Catalogue, ctx: Context) -> None:
        self.catalogue = catalogue
        self.ctx = ctx
        self.amounts: dict[str, Amount] = {}
        self.synthetic = [i for i in catalogue.indicators if i.synthetic is not None]
        self.synthetic_ids = {i.id for i in self.synthetic}
        self.guides = {x: i.synthetic.of[0] for i in self.synthetic if i.synthetic.kind == "residual"
                       for x in i.synthetic.less}
        self.balanced_parts = {x for i in self.synthetic if i.synthetic.kind == "sum" and i.synthetic.balance
                               for x in i.synthetic.of}
        _adjusted_by(self.synthetic)

    # ------------------------------------------------------------------ inputs
    def get(self, ref: str) -> Amount:
        if ref not in self.amounts:
            if ref in self.synthetic_ids:
                raise ValueError(f"{ref} is needed before it is generated (check the catalogue's references)")
            self.amounts[ref] = self._official_input(ref)
        return self.amounts[ref]

    def _official_input(self, ref: str) -> Amount:
        """An official indicator as an input: its gmina values over the population of the same year."""
        ind = self.catalogue.by_id[ref]
        real = ind.real
        if real is None or real.kind != "ratio" or real.denominator != "population":
            raise ValueError(f"a synthetic indicator is made from the official {ref}, which is not a ratio "
                             f"over the population")
        pop = self.ctx.den["population"]
        raw = self.ctx.official_values(ref)
        if raw is None:
            raise ValueError(f"synthetic indicators are made from the official {ref}, which the official values "
                             f"given to the generator do not hold")
        guide = self.guides.get(ref)
        if guide is not None:
            whole = self.get(guide)
            with np.errstate(invalid="ignore", divide="ignore"):
                guide_value = whole.num / pop * real.multiplier
                ratio = raw / guide_value
            values = fill_within_units(raw, guide_value)
            # A unit without any year of its own takes the national median share of the whole.
            share = float(np.nanmedian(ratio[np.isfinite(ratio)])) if np.isfinite(ratio).any() else np.nan
            values = np.where(np.isfinite(values), values, share * guide_value)
        else:
            values = fill_within_units(raw)
        num = values * pop / real.multiplier
        num[~self.ctx.exists] = np.nan
        return Amount(num=num, den=pop.copy(), multiplier=real.multiplier, official=True,
                      observed=np.isfinite(raw) & self.ctx.exists)

    def _register(self, p: Synthetic) -> np.ndarray:
        return self.ctx.den[p.denominator]

    # ------------------------------------------------------------------ kinds
    def make(self, ind: Indicator) -> Amount:
        p = ind.synthetic
        rng = np.random.default_rng(stable_seed(self.ctx.seed, ind.id))
        mult = ind.formula.multiplier or 1.0
        ctx = self.ctx
        n, t = len(ctx.g), len(ctx.years)
        if p.kind in ("ratio", "count"):
            bounds = bounds_of(p)
            if p.numerator_of is not None:
                v = draw(p, p.median, bounds, ctx, rng)
                base = self.get(p.numerator_of)
                num = base.num.copy()
                with np.errstate(invalid="ignore", divide="ignore"):
                    den = np.where(v > 0, mult * num / v, np.nan)
                amount = Amount(num, den, mult)
            elif p.denominator_of is not None:
                v = draw(p, p.median, bounds, ctx, rng)
                den = self._den_of(p)
                f = v / mult
                if p.complement:
                    with np.errstate(invalid="ignore", divide="ignore"):
                        num = f / (1 - f) * den
                    den = den + num
                else:
                    num = f * den
                amount = Amount(num, den, mult)
            else:
                den = self._register(p)
                v = draw(p, p.median, bounds, ctx, rng)
                if p.kind == "count":
                    num = np.round(v * (ctx.size_pop / TYPICAL_POPULATION)[:, None])
                    amount = Amount(num, np.full((n, t), np.nan), 1.0)
                else:
                    amount = Amount(v * den / mult, den.copy(), mult)
                if ind.id not in self.balanced_parts:
                    amount.num[missing_cells(p, ctx, rng)] = np.nan
        elif p.kind in ("part", "whole"):
            amount = self._part_or_whole(ind, p, mult, rng)
        elif p.kind == "residual":
            amount = self._residual(ind, p, mult)
        elif p.kind == "quotient":
            top = self.get(p.numerator_of)
            den = self._den_of(p) if p.denominator_of is not None else self._register(p)
            amount = Amount(top.num.copy(), den.copy(), mult)
        elif p.kind == "sum":
            amount = self._sum(ind, p, rng)
        else:  # pragma: no cover - the schema knows every kind
            raise ValueError(f"{ind.id}: unknown kind {p.kind}")
        amount.num[~ctx.exists] = np.nan
        return amount

    def _den_of(self, p: Synthetic) -> np.ndarray:
        den = self.get(p.denominator_of).num.copy()
        for x in p.denominator_less:
            den = den - self.get(x).num
        return np.where(den > 0, den, np.nan)

    def _part_or_whole(self, ind: Indicator, p: Synthetic, mult: float, rng: np.random.Generator) -> Amount:
        if p.of:
            ref = self.get(p.of[0])
            base, den = ref.num.copy(), ref.den.copy()
        else:
            den = self._register(p).copy()
            base = den.copy()
        for x in p.less:
            base = base - self.get(x).num
        with np.errstate(invalid="ignore", divide="ignore"):
            base_value = mult * base / den
        typical = self.ctx.typical(base_value)
        if p.of and self.catalogue.by_id[p.of[0]].synthetic is not None:
            # `median` is the level before any shock: take the whole's base-year shock out of its typical value.
            typical /= self.catalogue.by_id[p.of[0]].synthetic.shocks.get(BASE_YEAR, 1.0)
        if p.kind == "part":
            share_bounds = tuple(p.share_bounds) if p.share_bounds is not None else (0.0, 1.0)
            r0 = p.median / typical
            r0 = float(np.clip(r0, share_bounds[0] + 1e-3, share_bounds[1] - 1e-3))
            r = draw(p, r0, share_bounds, self.ctx, rng)
            num = r * base
        else:
            extra = sum((self.get(x).num for x in p.plus), np.zeros_like(base))
            with np.errstate(invalid="ignore", divide="ignore"):
                rest = p.median - self.ctx.typical(mult * extra / den) if p.plus else p.median
                r0 = typical / rest
            r = draw(p, float(np.clip(r0, 1e-3, 1 - 1e-3)), (0.0, 1.0), self.ctx, rng)
            with np.errstate(invalid="ignore", divide="ignore"):
                num = base / r + extra
        return Amount(num, den, mult)

    def _residual(self, ind: Indicator, p: Synthetic, mult: float) -> Amount:
        whole = self.get(p.of[0])
        parts = {x: self.get(x) for x in p.less}
        zero = np.zeros_like(whole.num)
        # Official values as published stay as they are; an official part's filled gaps (never published) and
        # the synthetic parts give way where together they would leave the residual less than its floor.
        given = [a for a in parts.values() if a.observed is not None]
        published = sum((np.where(a.observed, a.num, 0.0) for a in given), zero)
        filled = sum((np.where(a.observed, 0.0, a.num) for a in given), zero)
        drawn = [x for x, a in parts.items() if a.observed is None]
        drawn_sum = sum((parts[x].num for x in drawn), zero)
        flexible = filled + drawn_sum
        room = np.maximum(whole.num * (1 - RESIDUAL_FLOOR) - published, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            squeeze = np.where(flexible > room, room / flexible, 1.0)
        squeeze = np.where(np.isfinite(squeeze), squeeze, 1.0)
        for x in drawn:
            parts[x].num = parts[x].num * squeeze
        rest = whole.num - published - flexible * squeeze
        num = np.maximum(rest, 0.0)
        num[np.isnan(rest)] = np.nan
        # The parts cover the units the whole covers.
        for x in drawn:
            parts[x].num[np.isnan(whole.num)] = np.nan
        return Amount(num, whole.den.copy(), mult)

    def _sum(self, ind: Indicator, p: Synthetic, rng: np.random.Generator) -> Amount:
        parts = [self.get(x) for x in p.of]
        # Never add official values: a part the release has officially enters with its synthetic series.
        nums = [a.latent if a.official and a.latent is not None else a.num for a in parts]
        if any(a.official and a.latent is None for a in parts):
            raise ValueError(f"{ind.id}: a sum of official and synthetic parts ({p.of}) is not generated")
        den = parts[0].den.copy()
        mult = ind.formula.multiplier or 1.0
        if p.balance is None:
            total = np.sum(nums, axis=0)  # NaN where any part is missing
            return Amount(total, den, mult)
        b = p.balance
        revenue = self.get(b.revenue).num
        capital = self.get(b.capital_spending).num
        capital_revenue = self.get(b.capital_revenue).num
        surplus = self.get(b.operating_surplus).num
        total = revenue - capital_revenue - surplus + capital
        if np.nanmin(total - capital) < 0:
            raise ValueError(f"{ind.id}: current spending below zero; the operating surplus must be a part of "
                             f"current revenue (revenue less capital revenue)")
        gaps = np.isnan(total)  # the budget's amounts cover the same gminy: identities hold at every level
        drawn = np.array([np.where(np.isnan(x), 0.0, x) for x in nums])
        weights = drawn / np.where(drawn.sum(axis=0) > 0, drawn.sum(axis=0), np.nan)
        for a, w in zip(parts, weights, strict=True):
            scaled = total * w
            scaled[gaps] = np.nan
            if a.official:
                a.latent = scaled
            else:
                a.num = scaled
        total[gaps] = np.nan
        return Amount(total, den, mult)

    # ------------------------------------------------------------------ run
    def run(self) -> dict[str, Amount]:
        for ind in _order(self.synthetic):
            amount = self.make(ind)
            values = self.ctx.official_values(ind.id)
            if values is not None:
                # The release has official values of it (fetched): inputs use them, the synthetic series stays
                # latent (a sum that has it as a part adds the latent series, never the official one).
                with np.errstate(invalid="ignore"):
                    official_num = values * amount.den / amount.multiplier
                amount = Amount(np.where(np.isfinite(official_num), official_num, amount.num), amount.den,
                                amount.multiplier, official=True, latent=amount.num,
                                observed=np.isfinite(official_num))
            self.amounts[ind.id] = amount
        return self.amounts


def generate(catalogue: Catalogue, units: pd.DataFrame, years: list[int], seed: int = DEFAULT_SEED,
             official: pd.DataFrame | None = None) -> pd.DataFrame:
    """Synthetic values for every synthetic indicator at all its levels (``RELEASE_VALUE_COLUMNS``).

    ``official``: the build's official values (the ``real`` indicators and whatever was fetched), which
    condition the synthetic ones; an indicator with official values in it is not generated.
    """
    ctx = Context(units, years, official, seed)
    amounts = _Generator(catalogue, ctx).run()
    level_keys = {"gmina": ctx.g["teryt"].to_numpy(str), "powiat": ctx.g["powiat"].to_numpy(str),
                  "wojewodztwo": ctx.g["wojewodztwo"].to_numpy(str)}
    frames = []
    for ind in catalogue.indicators:
        if ind.synthetic is None or amounts[ind.id].official:
            continue
        frames.extend(_emit(ind, amounts[ind.id], ctx, level_keys))
    if not frames:
        return pd.DataFrame(columns=RELEASE_VALUE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    too_early = out["teryt"].isin(list(NEW_GMINY_2025)) & (out["year"] < FIRST_YEAR_OF_NEW_GMINY)
    return out[~too_early].reset_index(drop=True)[RELEASE_VALUE_COLUMNS]


def _emit(ind: Indicator, amount: Amount, ctx: Context,
          level_keys: dict[str, np.ndarray]) -> list[pd.DataFrame]:
    """Long rows per level: gmina values as they are, higher levels Σ numerator / Σ denominator; a higher
    level's value is partial where gminy holding ≥ 0.1 % of its population have no value."""
    is_count = ind.synthetic.kind == "count"
    num = amount.num
    den = amount.den if not is_count else np.ones_like(num)
    present = np.isfinite(num) & ctx.exists & np.isfinite(den) & (den > 0)
    weight = np.nan_to_num(ctx.den["population"], nan=0.0)
    frames = []
    for level in ind.levels:
        codes, inverse = np.unique(level_keys[level], return_inverse=True)
        shape = (len(codes), len(ctx.years))
        nsum, dsum, wsum, wall = (np.zeros(shape) for _ in range(4))
        np.add.at(nsum, inverse, np.where(present, num, 0.0))
        np.add.at(dsum, inverse, np.where(present, den, 0.0))
        np.add.at(wsum, inverse, np.where(present, weight, 0.0))
        np.add.at(wall, inverse, np.where(ctx.exists, weight, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            if is_count:
                value = np.where(dsum > 0, nsum, np.nan)
                numerator, denominator = value, np.full(shape, np.nan)
            else:
                value = np.where(dsum > 0, amount.multiplier * nsum / dsum, np.nan)
                numerator = np.where(dsum > 0, nsum, np.nan)
                denominator = np.where(dsum > 0, dsum, np.nan)
            coverage = np.where(wall > 0, wsum / wall, 1.0)
        frames.append(_to_long(ind, level, codes, value, numerator, denominator, coverage, ctx.years))
    return frames


def _to_long(ind: Indicator, level: str, codes: np.ndarray, value: np.ndarray, numerator: np.ndarray,
             denominator: np.ndarray, coverage: np.ndarray, years: list[int]) -> pd.DataFrame:
    first, last = ind.years
    cols = [j for j, y in enumerate(years) if first <= y <= last]
    v = value[:, cols]
    df = pd.DataFrame({
        "indicator": ind.id,
        "teryt": np.repeat(codes, len(cols)),
        "year": np.tile(np.array(years)[cols], len(codes)),
        "value": v.ravel(),
        "numerator": numerator[:, cols].ravel(),
        "denominator": denominator[:, cols].ravel(),
    })
    flag = np.full(v.shape, "ok", dtype=object)
    if level != "gmina" and ind.synthetic.kind != "count":
        flag[(coverage[:, cols] < 0.999) & ~np.isnan(v)] = "partial"
    flag[v == 0] = "zero"
    flag[np.isnan(v)] = "no_data"
    df["flag"] = flag.ravel()
    df.loc[df["flag"] == "no_data", ["numerator", "denominator"]] = np.nan
    df["synthetic"] = True
    df["source"] = SOURCE
    return df
