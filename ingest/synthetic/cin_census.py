"""The children in need census return (DfE XML layout) for one LA and collection year.

Every child with a child in need episode open at any time in the year (referral on or before the reference
date, not closed before the year began), with each such episode's referral, closure, child in need plans,
assessments, section 47 enquiries and child protection plans (with the year's reviews) that were open at some
point in the year. Nothing after the reference date (or `end`, for a year still under way) is shown. ISO dates;
booleans `true`/`false`; Sex written as the SSDA903 files write it that year (1/2 up to 2023-24, M/F from
2024-25). Written by string building: well-formed, and byte-identical for the same history.
"""

from __future__ import annotations

from pathlib import Path

from . import codes as C
from .cin import CinWorld, Episode

_ISO: dict[int, str] = {}


def _d(t: int) -> str:
    s = _ISO.get(t)
    if s is None:
        s = _ISO[t] = C.from_day(t).isoformat()
    return s


def _episode_xml(e: Episode, ys: int, cut: int, out: list[str]) -> None:
    a = out.append
    closed = e.close is not None and e.close <= cut
    a("    <CINdetails>\n")
    a(f"      <CINreferralDate>{_d(e.ref)}</CINreferralDate>\n")
    a(f"      <ReferralSource>{e.source}</ReferralSource>\n")
    a(f"      <PrimaryNeedCode>{e.need}</PrimaryNeedCode>\n")
    if closed:
        a(f"      <CINclosureDate>{_d(e.close)}</CINclosureDate>\n")
        a(f"      <ReasonForClosure>{e.reason}</ReasonForClosure>\n")
    icpcs = [s.icpc for s in e.s47s if s.icpc is not None and s.icpc <= cut]
    if icpcs:
        a(f"      <DateOfInitialCPC>{_d(min(icpcs))}</DateOfInitialCPC>\n")
    a(f"      <ReferralNFA>{'true' if e.nfa else 'false'}</ReferralNFA>\n")
    for start, end in e.cin_plans:
        if start <= cut and end >= ys:
            a("      <CINPlanDates>\n")
            a(f"        <CINPlanStartDate>{_d(start)}</CINPlanStartDate>\n")
            if end <= cut:
                a(f"        <CINPlanEndDate>{_d(end)}</CINPlanEndDate>\n")
            a("      </CINPlanDates>\n")
    for x in e.assessments:
        if x.start <= cut and x.auth >= ys:
            a("      <Assessments>\n")
            a(f"        <AssessmentActualStartDate>{_d(x.start)}</AssessmentActualStartDate>\n")
            if x.auth <= cut:
                a(f"        <AssessmentAuthorisationDate>{_d(x.auth)}</AssessmentAuthorisationDate>\n")
                a("        <FactorsIdentifiedAtAssessment>\n")
                for f in x.factors:
                    a(f"          <AssessmentFactors>{f}</AssessmentFactors>\n")
                a("        </FactorsIdentifiedAtAssessment>\n")
            a("      </Assessments>\n")
    for s in e.s47s:
        last = s.icpc if s.icpc is not None else s.decided
        if s.start <= cut and (s.start >= ys or last >= ys):
            a("      <Section47>\n")
            a(f"        <S47ActualStartDate>{_d(s.start)}</S47ActualStartDate>\n")
            a(f"        <InitialCPCtarget>{_d(s.target)}</InitialCPCtarget>\n")
            if s.icpc is not None and s.icpc <= cut:
                a(f"        <DateOfInitialCPC>{_d(s.icpc)}</DateOfInitialCPC>\n")
            nr = s.icpc is None and s.decided <= cut
            a(f"        <ICPCnotRequired>{'true' if nr else 'false'}</ICPCnotRequired>\n")
            a("      </Section47>\n")
    for p in e.plans:
        if p.start <= cut and p.end >= ys:
            a("      <ChildProtectionPlans>\n")
            a(f"        <CPPstartDate>{_d(p.start)}</CPPstartDate>\n")
            if p.end <= cut:
                a(f"        <CPPendDate>{_d(p.end)}</CPPendDate>\n")
            latest = p.cat1 if p.cat_change is not None and p.cat_change <= cut else p.cat0
            a(f"        <InitialCategoryOfAbuse>{p.cat0}</InitialCategoryOfAbuse>\n")
            a(f"        <LatestCategoryOfAbuse>{latest}</LatestCategoryOfAbuse>\n")
            a(f"        <NumberOfPreviousCPP>{p.prev}</NumberOfPreviousCPP>\n")
            rv = [r for r in p.reviews if ys <= r <= cut]
            if rv:
                a("        <Reviews>\n")
                for r in rv:
                    a(f"          <CPPreviewDate>{_d(r)}</CPPreviewDate>\n")
                a("        </Reviews>\n")
            a("      </ChildProtectionPlans>\n")
    a("    </CINdetails>\n")


def write_census(
    world: CinWorld, ids: dict[int, str], collection_year: int, ys: int, ye: int, cut: int, path: Path
) -> tuple[int, int]:
    """Write the census for the year [ys, ye] as known at `cut` (<= ye). Returns (children, CIN episodes)."""
    by_person: dict[int, list[Episode]] = {}
    for e in world.episodes:
        if e.ref <= cut and (e.close is None or e.close >= ys):
            by_person.setdefault(e.person.key, []).append(e)
    keys = sorted(by_person, key=lambda k: int(ids[k]))
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        "<Message>\n",
        "  <Header>\n",
        "    <CollectionDetails>\n",
        "      <Collection>CIN</Collection>\n",
        f"      <Year>{collection_year}</Year>\n",
        f"      <ReferenceDate>{_d(ye)}</ReferenceDate>\n",
        "    </CollectionDetails>\n",
        "    <Source>\n",
        "      <SourceLevel>L</SourceLevel>\n",
        f"      <LEA>{world.la_code}</LEA>\n",
        "      <SoftwareCode>csqa generate</SoftwareCode>\n",
        "      <Release>1</Release>\n",
        "      <SerialNo>1</SerialNo>\n",
        f"      <DateTime>{_d(cut)}T12:00:00</DateTime>\n",
        "    </Source>\n",
        "  </Header>\n",
        "  <Children>\n",
    ]
    n_eps = 0
    for k in keys:
        p = world.persons[k]
        a = out.append
        a("  <Child>\n")
        a("    <ChildIdentifiers>\n")
        a(f"      <LAchildID>{ids[k]}</LAchildID>\n")
        a(f"      <UPN>{world.upn(p)}</UPN>\n")
        a(f"      <PersonBirthDate>{_d(p.dob)}</PersonBirthDate>\n")
        a(f"      <Sex>{C.sex_code(p.sex, collection_year)}</Sex>\n")
        a("    </ChildIdentifiers>\n")
        a("    <ChildCharacteristics>\n")
        a(f"      <Ethnicity>{p.ethnic}</Ethnicity>\n")
        a("      <Disabilities>\n")
        for d in p.disabilities or ("NONE",):
            a(f"        <Disability>{d}</Disability>\n")
        a("      </Disabilities>\n")
        a("    </ChildCharacteristics>\n")
        eps = sorted(by_person[k], key=lambda e: e.ref)
        for e in eps:
            _episode_xml(e, ys, cut, out)
        n_eps += len(eps)
        a("  </Child>\n")
    out.append("  </Children>\n</Message>\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(out), encoding="utf-8")
    return len(keys), n_eps
