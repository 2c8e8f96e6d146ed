"""The bad-input corpus: one table of broken (and awkward but valid) files for every input csqa reads.

Each `Case` builds its file(s) from a known-good base written by hand below, says what is wrong with them and
what csqa must do about it: the documented outcome (docs/bad-input.md has one line per case), the rules recorded in
`meta.rejected_rows`, the data rows and columns named, and words of the message the user sees.
`tests/test_bad_input_corpus.py` runs every case into a fresh data folder and checks all of it.

Outcomes:

- `rejected`: the whole file is refused; the landing database is unchanged apart from the record of the rejection
  (and an earlier good load of the same slot keeps serving).
- `rows_quarantined`: the named rows are refused (listed in `meta.rejected_rows`), the rest loaded.
- `loaded_with_note`: loaded whole, with a note on the load (`meta.loads.message`, printed as "note: ...").
- `loaded`: loaded whole, no note (awkward but valid: another encoding, blank lines, padding).
- `unchanged`: the same bytes were loaded before: nothing is written.
- `supersedes`: a corrected resubmission replaces the load in its slot.

Bases are tiny (two or three rows) so the whole corpus runs in seconds. Paths follow `csqa generate`'s layout,
so authority, collection year, month or as-at date come from the folders.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

# --- sources: something with a relative path and bytes ------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """Bytes as given (binary junk, another encoding, an empty file)."""

    rel: str
    raw: bytes

    def data(self) -> bytes:
        return self.raw

    def at(self, rel: str) -> Raw:
        return replace(self, rel=rel)


@dataclass(frozen=True)
class Csv:
    """A CSV file: a header line and data lines, written by hand (no field holds a comma)."""

    rel: str
    header: str
    rows: tuple[str, ...]
    trailer: str = "\n"

    def text(self) -> str:
        return "\n".join((self.header, *self.rows)) + self.trailer

    def data(self) -> bytes:
        return self.text().encode("utf-8")

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]

    def _index(self, column: str) -> int:
        return self.header.split(",").index(column)

    def set(self, row: int, column: str, value: str) -> Csv:
        """Data row `row` (1-based, as meta.rejected_rows numbers it) with `column` set to `value`."""
        rows = list(self.rows)
        fields = rows[row - 1].split(",")
        fields[self._index(column)] = value
        rows[row - 1] = ",".join(fields)
        return replace(self, rows=tuple(rows))

    def with_rows(self, *rows: str) -> Csv:
        return replace(self, rows=tuple(rows))

    def plus_rows(self, *rows: str) -> Csv:
        return replace(self, rows=(*self.rows, *rows))

    def renamed(self, column: str, new: str) -> Csv:
        heads = self.header.split(",")
        heads[self._index(column)] = new
        return replace(self, header=",".join(heads))

    def without(self, column: str) -> Csv:
        i = self._index(column)

        def drop(line: str) -> str:
            fields = line.split(",")
            return ",".join(fields[:i] + fields[i + 1:])

        return replace(self, header=drop(self.header), rows=tuple(drop(r) for r in self.rows))

    def plus_column(self, heading: str, value: str) -> Csv:
        return replace(self, header=f"{self.header},{heading}", rows=tuple(f"{r},{value}" for r in self.rows))

    def without_final_newline(self) -> Csv:
        return replace(self, trailer="")

    def at(self, rel: str) -> Csv:
        return replace(self, rel=rel)

    def raw(self, data: bytes) -> Raw:
        return Raw(self.rel, data)

    def encoded(self, encoding: str) -> Raw:
        return Raw(self.rel, self.text().encode(encoding))


@dataclass(frozen=True)
class Xml:
    rel: str
    body: str

    def data(self) -> bytes:
        return self.body.encode("utf-8")

    def sub(self, old: str, new: str) -> Xml:
        assert old in self.body, old
        return replace(self, body=self.body.replace(old, new, 1))

    def cut(self, fraction: float) -> Raw:
        """The file truncated part-way (a failed transfer): cut inside an element."""
        data = self.data()
        return Raw(self.rel, data[: int(len(data) * fraction)])

    def at(self, rel: str) -> Xml:
        return replace(self, rel=rel)


@dataclass(frozen=True)
class Book:
    """An Annex A workbook: sheet name → (headings, rows of cell values)."""

    rel: str
    sheets: tuple[tuple[str, tuple[str, ...], tuple[tuple, ...]], ...]

    def data(self) -> bytes:
        return _workbook_bytes(self.sheets)

    def _sheet(self, name: str):
        return next(s for s in self.sheets if s[0] == name)

    def _put(self, name: str, headings, rows) -> Book:
        return replace(self, sheets=tuple((n, headings, rows) if n == name else (n, h, r) for n, h, r in self.sheets))

    def without_sheet(self, name: str) -> Book:
        return replace(self, sheets=tuple(s for s in self.sheets if s[0] != name))

    def emptied(self, name: str) -> Book:
        """The sheet is there but holds nothing at all (not even headings)."""
        return self._put(name, (), ())

    def set(self, name: str, row: int, heading: str, value) -> Book:
        _, headings, rows = self._sheet(name)
        i = headings.index(heading)
        new = list(rows)
        new[row - 1] = tuple(value if j == i else v for j, v in enumerate(rows[row - 1]))
        return self._put(name, headings, tuple(new))

    def renamed(self, name: str, heading: str, new: str) -> Book:
        _, headings, rows = self._sheet(name)
        return self._put(name, tuple(new if h == heading else h for h in headings), rows)

    def without_column(self, name: str, heading: str) -> Book:
        _, headings, rows = self._sheet(name)
        i = headings.index(heading)
        return self._put(name, headings[:i] + headings[i + 1:], tuple(r[:i] + r[i + 1:] for r in rows))

    def without_row(self, name: str, row: int) -> Book:
        _, headings, rows = self._sheet(name)
        return self._put(name, headings, rows[: row - 1] + rows[row:])

    def at(self, rel: str) -> Book:
        return replace(self, rel=rel)


_WORKBOOKS: dict[tuple, bytes] = {}


def _workbook_bytes(sheets) -> bytes:
    """Write the workbook with openpyxl (once per distinct content: cases share their base's bytes)."""
    if sheets not in _WORKBOOKS:
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, headings, rows in sheets:
            ws = book.create_sheet(name)
            if headings:
                ws.append(list(headings))
            for r in rows:
                ws.append(list(r))
        out = io.BytesIO()
        book.save(out)
        _WORKBOOKS[sheets] = out.getvalue()
    return _WORKBOOKS[sheets]


# --- what a case loads --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Files:
    bad: Path  # the file under test
    before: tuple[Path, ...] = ()  # loaded first, one `ingest_paths` call each, in order; each must load


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def alone(src, *first) -> Callable[[Path], Files]:
    """The file into an empty landing database (after `first`, files of other slots it needs, if any)."""
    return lambda root: Files(bad=_write(root / "in" / src.rel, src.data()),
                              before=tuple(_write(root / "first" / f.rel, f.data()) for f in first))


def over(base, bad) -> Callable[[Path], Files]:
    """The good base loaded first, then the bad file for the same slot (from another folder)."""
    return lambda root: Files(bad=_write(root / "bad" / bad.rel, bad.data()),
                              before=(_write(root / "good" / base.rel, base.data()),))


def twice(src) -> Callable[[Path], Files]:
    """The same file loaded twice."""

    def make(root: Path) -> Files:
        path = _write(root / "in" / src.rel, src.data())
        return Files(bad=path, before=(path,))

    return make


# --- the cases ----------------------------------------------------------------------------------------------------

REJECTED, QUARANTINED, NOTE, LOADED, UNCHANGED, SUPERSEDES = (
    "rejected", "rows_quarantined", "loaded_with_note", "loaded", "unchanged", "supersedes")
OUTCOMES = (REJECTED, QUARANTINED, NOTE, LOADED, UNCHANGED, SUPERSEDES)

SSDA903, REFERENCE, ANNEX_A, CIN_CENSUS, CSWW = (
    "SSDA903 CSV", "reference CSV", "Annex A workbook", "CIN census XML", "CSWW census XML")
HR_WORKERS, HR_VACANCIES, COMPLAINTS, QA_ACTIVITY, AUDITS, AUDIT_ACTIONS = (
    "HR workers CSV", "HR vacancies CSV", "complaints register CSV", "QA activity log CSV",
    "case-file audits CSV", "audit actions CSV")
INPUTS = (SSDA903, REFERENCE, ANNEX_A, CIN_CENSUS, CSWW, HR_WORKERS, HR_VACANCIES, COMPLAINTS, QA_ACTIVITY, AUDITS,
          AUDIT_ACTIONS)


@dataclass(frozen=True)
class Case:
    id: str
    input: str  # one of INPUTS
    what: str  # what is wrong with the file, in a few words
    make: Callable[[Path], Files]
    outcome: str  # one of OUTCOMES
    # (data row, column, rule) of every row-level rejection recorded for the file; column '' = the whole row.
    rejects: tuple[tuple[int, str, str], ...] = ()
    file_rule: str | None = None  # the rule of the whole-file verdict (meta.rejected_rows row 0)
    column: str | None = None  # the column the whole-file message names
    says: str = ""  # words of the message (or note) the user sees
    check: tuple[str, list] | None = None  # (sql on the landing database afterwards, the rows it must return)
    cli_exit: int | None = None  # also run through `csqa ingest`, which must exit with this code
    unidentified: bool = False  # rejected before any slot is known: nothing at all is recorded

    def __post_init__(self):
        assert self.outcome in OUTCOMES and self.input in INPUTS, self.id


# --- SSDA903 (authority 845, collection year 2024-25) -------------------------------------------------------------

HEADER = Csv("ssda903/845/2024-25/header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", (
    "1001,M,01/01/2015,WBRI,,,",
    "1002,F,14/02/2016,WIRI,,,",
    "1003,F,30/06/2010,APKN,,,",
))
EPISODES = Csv(
    "ssda903/845/2024-25/episodes.csv",
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN", (
        "1001,01/05/2024,S,C2,N1,U4,PR1,,,,,,",
        "1002,10/06/2024,S,C2,N2,U1,PR1,01/09/2024,E13,,,,",
        "1003,01/04/2024,L,V2,N1,K2,PR4,,,,,,SC123456",
    ))
REVIEWS = Csv("ssda903/845/2024-25/reviews.csv", "CHILD,DOB,REVIEW,REVIEW_CODE", (
    "1001,01/01/2015,15/06/2024,PN1",
    "1002,14/02/2016,20/07/2024,PN0",
))
MISSING = Csv("ssda903/845/2024-25/missing.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END", (
    "1001,01/01/2015,M,03/08/2024,04/08/2024",
    "1003,30/06/2010,A,10/10/2024,",
))
OC2 = Csv(
    "ssda903/845/2024-25/oc2.csv",
    "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,"
    "SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED", (
        "1001,01/01/2015,12,,0,1,1,1,1,0,,",
        "1002,14/02/2016,17,,0,1,1,0,1,0,,",
    ))
OC3 = Csv("ssda903/845/2024-25/oc3.csv", "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM", (
    "2001,30/06/2005,YES,F1,B1",
    "2002,12/12/2005,NO,P2,C1",
))

# --- reference data -----------------------------------------------------------------------------------------------

POSTCODES = Csv("reference/postcode_centroids.csv", "postcode,postcode_district,la_code,latitude,longitude", (
    "TN34 1AA,TN34,845,50.90,0.50",
    "ME1 1AA,ME1,886,51.40,0.50",
))
POPULATION = Csv("reference/population.csv", "area_code,year,age_group,population", (
    "845,2024,0-17,331000",
    "886,2024,0-17,352000",
))
ORG_UNITS = Csv("reference/org_units.csv", "la_code,team_name,team_id,service_id,service_name", (
    "845,Locality 1 Assessment,L1A,AS,Assessment and Child Protection",
    "845,CIN Team 1,CIN1,CIN,Children in Need",
))

# --- Ofsted Annex A (authority 845, as at 31/12/2024), headings worded as in data/samples/annex_a ---------------

_CHILD = ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth")
_TEAM = ("Allocated Team", "Allocated Worker")
D = datetime
ANNEX_BOOK = Book("annex_a/845/2024-12/annex_a.xlsx", (
    ("List 1", _CHILD + ("Date of Contact", "Contact Source"), (
        (101, "a) Male", "a) WBRI", D(2015, 1, 25), D(2024, 9, 16), "q) 6: Police"),
        (102, "b) Female", "k) APKN", D(2012, 3, 1), D(2024, 10, 2), "e) 2A: Schools"),
    )),
    ("List 3", _CHILD + ("Date of Referral", "Referral Source", "Referral NFA?",
                         "Number of Referrals in Last 12 Months") + _TEAM, (
        (101, "a) Male", "a) WBRI", D(2015, 1, 25), D(2024, 9, 17), "q) 6: Police", "No", 0, "Assessment Team 1",
         "Pat Assess"),
        (103, "b) Female", "a) WBRI", D(2011, 5, 5), D(2024, 11, 4), "e) 2A: Schools", "Yes", 1, "Front Door MASH",
         "Ann Duty"),
    )),
    ("List 4", _CHILD + ("Does the Child have a Disability", "Continuous Assessment Start Date",
                         "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation",
                         "Was the child assessed as requiring LA children's social care support?") + _TEAM, (
        (101, "a) Male", "a) WBRI", D(2015, 1, 25), "b) No", D(2024, 9, 18), "Yes", D(2024, 10, 30),
         "CIN plan", "Assessment Team 1", "Pat Assess"),
    )),
    ("List 5", _CHILD + ("Does the Child have a Disability",
                         "Strategy discussion initiating Section 47 Enquiry Start Date",
                         "Was an Initial Child Protection Conference deemed unnecessary?",
                         "Date of Initial Child Protection Conference",
                         "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                         "Number of Section 47 Enquiries in the last 12 months",
                         "Number of ICPCs in the last 12 months") + _TEAM, (
        (101, "a) Male", "a) WBRI", D(2015, 1, 25), "b) No", D(2024, 9, 20), "No", D(2024, 10, 8), "Yes", 0, 0,
         "Safeguarding Team A", "Sam Shield"),
    )),
    ("List 6", _CHILD + ("Does the Child have a Disability", "CIN Start Date", "Primary Need Code",
                         "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure", "Case Status")
     + _TEAM, (
        (101, "a) Male", "a) WBRI", D(2015, 1, 25), "b) No", D(2024, 9, 17), "N1 - Abuse or Neglect",
         D(2024, 12, 20), None, None, "c) Child in need plan", "Assessment Team 1", "Pat Assess"),
    )),
    ("List 7", _CHILD + ("Does the Child have a Disability", "Child Protection Plan Start Date",
                         "Initial Category of Abuse", "Latest Category of Abuse", "Date of the Last Statutory Visit",
                         "Was the Child Seen Alone?", "Date of latest review conference",
                         "Child Protection Plan End Date",
                         "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months "
                         "(Y/N)", "Number of Previous Child Protection Plans") + _TEAM, (
        (101, "a) Male", "a) WBRI", D(2015, 1, 25), "b) No", D(2024, 10, 8), "Neglect", "Neglect", D(2024, 12, 12),
         "a) Yes", None, None, "b) No", 0, "Safeguarding Team A", "Sam Shield"),
    )),
))

# --- CIN census (authority and year from its header: 845, 2024-25) ------------------------------------------------

CIN = Xml("cin_census/845/2024-25/cin_census.xml", """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2025</Year><ReferenceDate>2025-03-31</ReferenceDate>
    </CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>845</LEA></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>C1</LAchildID><Sex>F</Sex><PersonBirthDate>2015-01-02</PersonBirthDate>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-05-01</CINreferralDate><ReferralSource>1B</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>
        <Assessments><AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2024-06-20</AssessmentAuthorisationDate></Assessments>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers><LAchildID>C2</LAchildID><Sex>M</Sex><PersonBirthDate>2012-03-04</PersonBirthDate>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>APKN</Ethnicity></ChildCharacteristics>
      <CINdetails><CINreferralDate>2024-09-01</CINreferralDate><ReferralNFA>true</ReferralNFA>
        <CINclosureDate>2024-09-01</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure></CINdetails>
    </Child>
  </Children>
</Message>
""")

# --- CSWW census (authority 845, census as at 30/09/2024) ---------------------------------------------------------

CSWW_XML = Xml("csww/845/2024/csww.xml", """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CSWW</Collection><Year>2024</Year><ReferenceDate>2024-09-30</ReferenceDate>
    </CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>845</LEA></Source>
  </Header>
  <LALevelVacancies><NumberOfVacancies>4.5</NumberOfVacancies><NoAgencyFTE>3</NoAgencyFTE>
    <NoAgencyHeadcount>3</NoAgencyHeadcount></LALevelVacancies>
  <CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW100001</SWENo><FTE>1</FTE>
    <PersonBirthDate>1980-01-01</PersonBirthDate><OrgRole>5</OrgRole><RoleStartDate>2019-04-01</RoleStartDate>
    <Cases30>18</Cases30><WorkingDaysLost>3</WorkingDaysLost></CSWWWorker>
  <CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW100002</SWENo><FTE>0.5</FTE>
    <PersonBirthDate>1975-06-01</PersonBirthDate><OrgRole>3</OrgRole><RoleStartDate>2015-09-01</RoleStartDate>
    <Cases30>0</Cases30><WorkingDaysLost>0</WorkingDaysLost></CSWWWorker>
  <CSWWWorker><AgencyWorker>1</AgencyWorker><SWENo>SW100003</SWENo><FTE>0</FTE>
    <PersonBirthDate>1990-02-03</PersonBirthDate><OrgRole>5</OrgRole><RoleStartDate>2020-01-06</RoleStartDate>
    <RoleEndDate>2024-03-31</RoleEndDate><ReasonLeave>2</ReasonLeave><FTE30>0.8</FTE30>
    <WorkingDaysLost>5.5</WorkingDaysLost></CSWWWorker>
</Message>
""")

# --- HR, complaints, QA activity, audits (authority 845; month or as-at date from the folder) ---------------------

HR = Csv(
    "hr/845/2024-11/hr_workers.csv",
    "month,worker_id,team_name,role,fte,employment_type,start_date,leave_date,leave_reason,sickness_days,cases_held", (
        "30/11/2024,E1001,Locality 1 Assessment,SW,1,permanent,01/04/2019,,,0,18",
        "30/11/2024,E1002,Locality 1 Assessment,FLM,0.5,fixed_term,01/04/2020,,,2,0",
        "30/11/2024,AG77,Locality 1 Assessment,SW,1,agency,01/09/2024,,,0,21",
    ))
VACANCIES = Csv("hr/845/2024-11/hr_vacancies.csv", "month,team_name,vacancy_fte", (
    "30/11/2024,Locality 1 Assessment,1.5",
    "30/11/2024,CIN Team 1,0",
))
REGISTER = Csv(
    "complaints/845/2024-11/complaints.csv",
    "reference,record_type,received_date,team_name,service_name,complainant,nature,stage,stage1_start_date,"
    "stage1_response_date,stage1_extended,stage1_outcome,stage2_start_date,stage2_response_date,stage2_extended,"
    "stage2_outcome,stage3_start_date,stage3_response_date,stage3_outcome,ombudsman_referred,learning_action,"
    "learning_action_due_date,learning_action_status,learning_action_completed_date", (
        "CC-1,complaint,02/09/2024,Locality 1 Assessment,,parent,communication,1,02/09/2024,13/09/2024,N,"
        "partly_upheld,,,,,,,,N,Remind team of the 10-day standard,31/10/2024,completed,24/10/2024",
        "CC-2,complaint,23/09/2024,CIN Team 1,,child,placement,2,23/09/2024,04/10/2024,N,not_upheld,17/10/2024,,Y,"
        ",,,,N,,,,",
        "CC-3,compliment,25/09/2024,CIN Team 1,,parent,,,,,,,,,,,,,,,,,,",
    ))
ACTIVITY = Csv("qa_activity/845/2025-03/qa_activity.csv",
               "task_number,audience,period_start,period_end,delivered_date,reference", (
                   "4.1,cscmt,01/02/2025,28/02/2025,20/03/2025,CSCMT 2025-03 item 4",
                   "4.7,scrutiny,01/10/2024,31/12/2024,15/01/2025,",
               ))
AUDITS_CSV = Csv(
    "audits/845/2025-03/case_file_audits.csv",
    "audit_reference,task_number,audit_type,audit_date,team_name,worker_id,child_id,auditor_role,grade,"
    "significant_concerns,themes,follow_up_of", (
        "A1,3.16,supervision,05/03/2025,Assessment Team 1,E1001,C123,practice_managers,requires_improvement,Y,"
        "child_centred;recording,",
        "A2,3.16,supervision,20/03/2025,Assessment Team 1,E1001,C456,practice_managers,good,N,,A1",
        "A3,3.14,deep_dive,12/03/2025,Assessment Team 1,E1002,C789,operations_managers,outstanding,N,multi_agency,",
    ))
ACTIONS = Csv("audits/845/2025-03/audit_actions.csv", "audit_reference,action_number,action,due_date,completed_date", (
    "A1,1,Update the chronology,31/03/2025,",
    "A1,2,Record the child's views,15/03/2025,14/03/2025",
))


# --- binary junk ---------------------------------------------------------------------------------------------------


def _png() -> bytes:
    """A real 1x1 PNG image (as a screenshot saved over the extract would be)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _zip_of_csvs() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("List 1.csv", "Child Unique ID,Date of Contact\n101,16/09/2024\n")
    return out.getvalue()


RANDOM_BYTES = random.Random(8).randbytes(2048)  # fixed seed: the same junk every run (it holds NUL bytes)
# Random bytes without NULs that are not text in either encoding: 0x81 is undefined in Windows-1252, and a UTF-8
# continuation byte with no lead byte before it.
RANDOM_TEXTLIKE = bytes(b for b in random.Random(8).randbytes(4096) if b)

ENTITY_BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY a "aaaaaaaaaa">'
               + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
               + ']>\n<Message><Header><CollectionDetails><Collection>CIN</Collection></CollectionDetails></Header>'
               "<Children><Child><ChildIdentifiers><LAchildID>&i;</LAchildID></ChildIdentifiers></Child></Children>"
               "</Message>\n")


# --- the table -----------------------------------------------------------------------------------------------------

_q = "select {} from {} order by all"

CASES: list[Case] = [
    # SSDA903: columns
    Case("903-header-missing-column", SSDA903, "ETHNIC column left out",
         over(HEADER, HEADER.without("ETHNIC")), REJECTED, file_rule="missing_columns", column="ETHNIC",
         says="row 0 (header): missing required column ETHNIC", cli_exit=1),
    Case("903-episodes-renamed-column", SSDA903, "DECOM headed START_DATE (a heading no contract knows)",
         over(EPISODES, EPISODES.renamed("DECOM", "START_DATE")), REJECTED, file_rule="missing_columns",
         column="DECOM", says="missing required column DECOM (found: CHILD, START_DATE"),
    Case("903-episodes-duplicated-column", SSDA903, "DECOM heading appears twice",
         over(EPISODES, EPISODES.plus_column("DECOM", "01/05/2024")), REJECTED, file_rule="duplicate_column",
         column="DECOM", says="DECOM appears twice (columns 2 and 14)"),
    Case("903-episodes-extra-column", SSDA903, "an extra NOTES column",
         alone(EPISODES.plus_column("NOTES", "see file")), NOTE, says="ignored column not in the contract: NOTES",
         check=(_q.format("child_id", "raw.ssda903_episodes"), [("1001",), ("1002",), ("1003",)])),
    Case("903-header-headings-as-aliases", SSDA903, "headings worded 'Child ID', 'Gender', 'Date of birth'",
         alone(HEADER.renamed("CHILD", "Child ID").renamed("SEX", "Gender").renamed("DOB", "Date of birth")), LOADED,
         check=(_q.format("child_id, sex, dob::varchar", "raw.ssda903_header"),
                [("1001", "M", "2015-01-01"), ("1002", "F", "2016-02-14"), ("1003", "F", "2010-06-30")])),
    # SSDA903: dates
    Case("903-episodes-iso-date", SSDA903, "DECOM written 2024-05-01 (yyyy-mm-dd) where dd/mm/yyyy is expected",
         alone(EPISODES.set(1, "DECOM", "2024-05-01")), QUARANTINED, rejects=((1, "DECOM", "date_format"),),
         says="DECOM '2024-05-01' is not a real date in dd/mm/yyyy"),
    Case("903-episodes-two-digit-year", SSDA903, "DECOM written 31/1/24 (two-digit year)",
         alone(EPISODES.set(1, "DECOM", "31/1/24")), QUARANTINED, rejects=((1, "DECOM", "date_format"),),
         says="DECOM '31/1/24' is not a real date in dd/mm/yyyy"),
    Case("903-header-impossible-date", SSDA903, "DOB 31/02/2015 (no such day)",
         alone(HEADER.set(2, "DOB", "31/02/2015")), QUARANTINED, rejects=((2, "DOB", "date_format"),),
         says="DOB '31/02/2015' is not a real date in dd/mm/yyyy", cli_exit=0),
    Case("903-episodes-ends-before-start", SSDA903, "episode ends (DEC 01/05/2024) before it starts (DECOM 10/06/2024)",
         alone(EPISODES.set(2, "DEC", "01/05/2024")), QUARANTINED, rejects=((2, "DEC", "date_order"),),
         says="DEC 01/05/2024 is before DECOM 10/06/2024"),
    Case("903-reviews-after-year", SSDA903, "a review dated after the collection year (15/04/2025)",
         alone(REVIEWS.set(2, "REVIEW", "15/04/2025")), QUARANTINED, rejects=((2, "REVIEW", "after_collection_year"),),
         says="REVIEW 15/04/2025 is after the end of collection year 2024-25 (31/03/2025)"),
    Case("903-missing-end-before-start", SSDA903, "missing episode ends before it starts",
         alone(MISSING.set(1, "MIS_END", "02/08/2024")), QUARANTINED, rejects=((1, "MIS_END", "date_order"),),
         says="MIS_END 02/08/2024 is before MIS_START 03/08/2024"),
    Case("903-episodes-malformed-postcode", SSDA903, "placement postcode '2TR' (not a postcode)",
         alone(EPISODES.set(1, "PL_POST", "2TR"), POSTCODES), NOTE,
         says="1 value(s) not valid and treated as unknown (rows kept): PL_POST",
         check=("select row_number, column_name, value, rule from meta.cleared_values",
                [(1, "PL_POST", "2TR", "postcode_format")])),
    Case("903-header-dates-without-leading-zeros", SSDA903, "DOB written 1/1/2015 (Excel drops leading zeros)",
         alone(HEADER.set(1, "DOB", "1/1/2015")), LOADED,
         check=("select dob::varchar from raw.ssda903_header where child_id = '1001'", [("2015-01-01",)])),
    # SSDA903: codes
    Case("903-header-unknown-code", SSDA903, "ETHNIC 'XXXX' (in no year's list)",
         alone(HEADER.set(3, "ETHNIC", "XXXX")), QUARANTINED, rejects=((3, "ETHNIC", "code_unknown"),),
         says="ETHNIC 'XXXX' is not a valid ETHNIC code for 2024-25"),
    Case("903-header-code-of-another-year", SSDA903, "SEX '1': valid up to 2023-24, not in 2024-25",
         alone(HEADER.set(1, "SEX", "1")), QUARANTINED, rejects=((1, "SEX", "code_wrong_year"),),
         says="SEX '1' is not valid for 2024-25 (valid in other collection years)"),
    Case("903-episodes-placement-of-another-year", SSDA903, "PLACE 'H5': retired after 2023-24",
         alone(EPISODES.set(3, "PLACE", "H5")), QUARANTINED, rejects=((3, "PLACE", "code_wrong_year"),),
         says="PLACE 'H5' is not valid for 2024-25 (valid in other collection years)"),
    Case("903-oc3-unknown-code", SSDA903, "IN_TOUCH 'MAYBE'",
         alone(OC3.set(2, "IN_TOUCH", "MAYBE")), QUARANTINED, rejects=((2, "IN_TOUCH", "code_unknown"),),
         says="IN_TOUCH 'MAYBE' is not a valid IN_TOUCH code for 2024-25"),
    Case("903-oc2-nan-score", SSDA903, "SDQ_SCORE 'nan' (a pandas export's blank)",
         alone(OC2.set(2, "SDQ_SCORE", "nan")), QUARANTINED, rejects=((2, "SDQ_SCORE", "not_a_number"),),
         says="SDQ_SCORE 'nan' is not an integer"),
    # SSDA903: encodings and layout
    Case("903-episodes-windows-1252", SSDA903, "saved as Windows-1252 with a non-ASCII character (URN 'SC123é')",
         alone(EPISODES.set(3, "URN", "SC123é").encoded("cp1252"), POSTCODES), LOADED,
         check=("select l.encoding, e.urn from raw.ssda903_episodes e join meta.loads l on l.load_id = e._load_id "
                "where e.child_id = '1003'", [("windows-1252", "SC123é")])),
    Case("903-header-utf8-bom", SSDA903, "UTF-8 with a byte-order mark before the first heading",
         alone(HEADER.raw(b"\xef\xbb\xbf" + HEADER.data())), LOADED,
         check=(_q.format("child_id", "raw.ssda903_header"), [("1001",), ("1002",), ("1003",)])),
    Case("903-episodes-whitespace-and-blank-lines", SSDA903,
         "CRLF line ends, padded cells and headings, blank lines between and after rows",
         alone(EPISODES.raw(b"CHILD , DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
                            b"PL_POST,URN\r\n 1001 , 01/05/2024 ,s,c2,N1, U4 ,PR1,,,,,,\r\n\r\n   \r\n"
                            b",,,,,,,,,,,,\r\n1002,10/06/2024,S,C2,N2,U1,PR1,01/09/2024,E13,,,,\r\n\r\n"),
               POSTCODES),
         LOADED,
         check=(_q.format("_source_row, child_id, decom::varchar, rne, ls, place", "raw.ssda903_episodes"),
                [(1, "1001", "2024-05-01", "S", "C2", "U4"), (2, "1002", "2024-06-10", "S", "C2", "U1")])),
    # SSDA903: broken files
    Case("903-header-empty-file", SSDA903, "0 bytes", over(HEADER, HEADER.raw(b"")), REJECTED,
         file_rule="empty_file", says="header.csv: the file is empty", cli_exit=1),
    Case("903-episodes-header-only", SSDA903, "headings and no rows, sent over a full return",
         over(EPISODES, EPISODES.with_rows()), REJECTED, file_rule="no_data_rows",
         says="a header but no data rows; it would replace load"),
    Case("903-missing-header-only-first", SSDA903, "headings and no rows, nothing loaded for the year yet",
         alone(MISSING.with_rows()), LOADED,
         check=("select rows_read, rows_loaded, status from meta.loads", [(0, 0, "loaded")])),
    Case("903-header-truncated-last-line", SSDA903, "the last line cut off mid-date ('1003,F,30/0')",
         alone(HEADER.with_rows(*HEADER.rows[:2], "1003,F,30/0").without_final_newline()), QUARANTINED,
         rejects=((3, "", "field_count"),),
         says="row has 3 fields but the header has 7 (truncated or misaligned line)"),
    Case("903-header-truncated-in-quotes", SSDA903, "the file cut off inside a quoted field",
         over(HEADER, HEADER.raw(HEADER.data() + b'1004,"F')), REJECTED, file_rule="csv_syntax",
         says="header.csv line 5: not valid CSV (unexpected end of data)"),
    Case("903-header-random-bytes", SSDA903, "2 KB of random bytes named header.csv",
         over(HEADER, HEADER.raw(RANDOM_BYTES)), REJECTED, file_rule="not_text",
         says="header.csv: not a CSV text file (binary content)"),
    Case("903-header-random-text-bytes", SSDA903, "random bytes with no NUL: neither UTF-8 nor Windows-1252",
         over(HEADER, HEADER.raw(RANDOM_TEXTLIKE)), REJECTED, file_rule="encoding",
         says="is neither UTF-8 nor Windows-1252 text"),
    Case("903-episodes-png", SSDA903, "a PNG image renamed episodes.csv",
         over(EPISODES, EPISODES.raw(_png())), REJECTED, file_rule="not_text",
         says="episodes.csv: not a CSV text file (binary content)", cli_exit=1),
    Case("903-unknown-file", SSDA903, "a CSV no contract knows, named after no table",
         alone(Raw("ssda903/845/2024-25/notes.csv", b"ID,WHEN\n1,2024\n")), REJECTED, unidentified=True,
         says="notes.csv: cannot tell which table this is", cli_exit=2),
    # SSDA903: duplicates, resubmissions
    Case("903-header-repeated-header-line", SSDA903, "two exports pasted together: the heading line repeated",
         alone(HEADER.plus_rows(HEADER.header, "1004,M,05/05/2019,WBRI,,,")), QUARANTINED,
         rejects=((4, "DOB", "date_format"), (4, "ETHNIC", "code_unknown"), (4, "SEX", "code_unknown")),
         says="SEX 'SEX' is not a valid SEX code for 2024-25"),
    Case("903-header-duplicate-row", SSDA903, "a row repeated exactly",
         alone(HEADER.plus_rows(HEADER.rows[1])), QUARANTINED, rejects=((4, "", "duplicate_row"),),
         says="exact repeat of an earlier row",
         check=("select count(*) from raw.ssda903_header where child_id = '1002'", [(1,)])),
    Case("903-header-same-key-different-values", SSDA903, "child 1002 twice with different birth dates",
         alone(HEADER.plus_rows("1002,F,15/02/2016,WIRI,,,")), QUARANTINED,
         rejects=((2, "CHILD", "duplicate_key"), (4, "CHILD", "duplicate_key")),
         says="CHILD appears on 2 rows with different values"),
    Case("903-header-same-file-twice", SSDA903, "the same file loaded again", twice(HEADER), UNCHANGED,
         says="header.csv: identical to load", cli_exit=0),
    Case("903-header-corrected-resubmission", SSDA903, "a corrected file for the same authority and year",
         over(HEADER, HEADER.set(3, "ETHNIC", "ABAN")), SUPERSEDES,
         check=(_q.format("child_id, ethnic", "raw.ssda903_header"),
                [("1001", "WBRI"), ("1002", "WIRI"), ("1003", "ABAN")])),
    # Reference data
    Case("ref-postcodes-latitude-out-of-range", REFERENCE, "latitude 95 (not in the UK)",
         alone(POSTCODES.set(2, "latitude", "95")), QUARANTINED, rejects=((2, "latitude", "out_of_range"),),
         says="latitude 95 is above the maximum 61"),
    Case("ref-postcodes-malformed-postcode", REFERENCE, "postcode 'NOT A PC'",
         alone(POSTCODES.set(1, "postcode", "NOT A PC")), QUARANTINED, rejects=((1, "postcode", "postcode_format"),),
         says="postcode is not a UK postcode"),
    Case("ref-population-thousands-separator", REFERENCE, "population written \"331,000\" (quoted, with a comma)",
         alone(POPULATION.set(1, "population", '"331,000"')), QUARANTINED,
         rejects=((1, "population", "not_a_number"),), says="population '331,000' is not an integer"),
    Case("ref-population-too-big", REFERENCE, "population 3000000000 (beyond a 32-bit INTEGER)",
         alone(POPULATION.set(2, "population", "3000000000")), QUARANTINED,
         rejects=((2, "population", "out_of_range"),), says="population 3000000000 is above the maximum"),
    Case("ref-org-units-missing-column", REFERENCE, "service_name column left out",
         over(ORG_UNITS, ORG_UNITS.without("service_name")), REJECTED, file_rule="missing_columns",
         column="service_name", says="missing required column service_name"),
    Case("ref-postcodes-same-file-twice", REFERENCE, "the same directory file loaded again", twice(POSTCODES),
         UNCHANGED, says="postcode_centroids.csv: identical to load"),
    # Annex A
    Case("annexa-missing-sheet", ANNEX_A, "sheet 'List 4' (assessments) deleted",
         over(ANNEX_BOOK, ANNEX_BOOK.without_sheet("List 4")), REJECTED, file_rule="missing_sheet",
         says="annex_a.xlsx: no sheet 'List 4' (assessments); sheets found: 'List 1', 'List 3', 'List 5'"),
    Case("annexa-empty-sheet", ANNEX_A, "sheet 'List 5' present but blank",
         over(ANNEX_BOOK, ANNEX_BOOK.emptied("List 5")), REJECTED, file_rule="empty_sheet",
         says="annex_a.xlsx sheet 'List 5' (section47): no header row"),
    Case("annexa-csv-renamed-xlsx", ANNEX_A, "a CSV export renamed annex_a.xlsx",
         over(ANNEX_BOOK, Raw(ANNEX_BOOK.rel, b"Child Unique ID,Date of Contact\n101,16/09/2024\n")), REJECTED,
         file_rule="not_a_workbook", says="annex_a.xlsx: not an Excel workbook (.xlsx)", cli_exit=1),
    Case("annexa-zip-renamed-xlsx", ANNEX_A, "a zip of CSV files renamed annex_a.xlsx",
         over(ANNEX_BOOK, Raw(ANNEX_BOOK.rel, _zip_of_csvs())), REJECTED, file_rule="not_a_workbook",
         says="annex_a.xlsx: not an Excel workbook (.xlsx)"),
    Case("annexa-unrecognised-heading", ANNEX_A, "List 3's 'Date of Referral' headed 'When the referral came in'",
         over(ANNEX_BOOK, ANNEX_BOOK.renamed("List 3", "Date of Referral", "When the referral came in")), REJECTED,
         file_rule="missing_columns", column="REFERRAL_DATE",
         says="annex_a.xlsx sheet 'List 3' row 0 (header): missing required column REFERRAL_DATE"),
    Case("annexa-optional-column-absent", ANNEX_A, "List 3 without its 'Allocated Worker' column",
         alone(ANNEX_BOOK.without_column("List 3", "Allocated Worker")), NOTE,
         says="column not found, left blank: WORKER",
         check=("select count(*), count(worker_id) from raw.annex_a_referrals", [(2, 0)])),
    Case("annexa-date-after-as-at", ANNEX_A, "a contact dated 02/01/2025, after the workbook's as-at date",
         alone(ANNEX_BOOK.set("List 1", 2, "Date of Contact", D(2025, 1, 2))), QUARANTINED,
         rejects=((2, "CONTACT_DATE", "after_collection_year"),),
         says="CONTACT_DATE 02/01/2025 is after the end of collection year 2024-25 (31/12/2024)"),
    Case("annexa-impossible-text-date", ANNEX_A, "a referral date typed as text '31/02/2024'",
         alone(ANNEX_BOOK.set("List 3", 1, "Date of Referral", "31/02/2024")), QUARANTINED,
         rejects=((1, "REFERRAL_DATE", "date_format"),), says="REFERRAL_DATE '31/02/2024' is not a real date"),
    Case("annexa-same-workbook-twice", ANNEX_A, "the same workbook loaded again", twice(ANNEX_BOOK), UNCHANGED,
         says="annex_a.xlsx sheet 'List 1': identical to load"),
    Case("annexa-corrected-snapshot", ANNEX_A, "a corrected workbook as at the same date (one contact removed)",
         over(ANNEX_BOOK, ANNEX_BOOK.without_row("List 1", 1)), SUPERSEDES,
         check=(_q.format("child_id", "raw.annex_a_contacts"), [("102",)])),
    # CIN census
    Case("cin-truncated-xml", CIN_CENSUS, "the file cut off part-way through an element",
         over(CIN, CIN.cut(0.6)), REJECTED, file_rule="xml_syntax",
         says="cin_census.xml line 17, column 41: not well-formed XML (no element found"),
    Case("cin-wrong-collection", CIN_CENSUS, "an XML return of another collection (Collection SSDA903)",
         over(CIN, CIN.sub("<Collection>CIN</Collection>", "<Collection>SSDA903</Collection>")), REJECTED,
         file_rule="unknown_xml",
         says="cin_census.xml: an XML file that is neither a CIN census nor a social work workforce census return"),
    Case("cin-entity-bomb", CIN_CENSUS, "an XML entity-expansion bomb ('billion laughs')",
         alone(Raw(CIN.rel, ENTITY_BOMB.encode())), REJECTED, file_rule="xml_syntax",
         says="limit on input amplification factor"),
    Case("cin-uk-date-format", CIN_CENSUS, "CINreferralDate written 01/09/2024 where yyyy-mm-dd is expected",
         alone(CIN.sub("<CINreferralDate>2024-09-01", "<CINreferralDate>01/09/2024")), QUARANTINED,
         rejects=((2, "CINreferralDate", "date_format"),),
         says="CINreferralDate '01/09/2024' is not a real date in yyyy-mm-dd"),
    Case("cin-closed-before-referral", CIN_CENSUS, "a referral closed (2024-08-01) before it was made (2024-09-01)",
         alone(CIN.sub("<CINclosureDate>2024-09-01", "<CINclosureDate>2024-08-01")), QUARANTINED,
         rejects=((2, "CINclosureDate", "date_order"),), says="CINclosureDate 2024-08-01 is before CINreferralDate"),
    Case("cin-same-child-twice", CIN_CENSUS, "C2's id replaced by C1's: both children clash, so no child row is left",
         alone(CIN.sub("<LAchildID>C2</LAchildID>", "<LAchildID>C1</LAchildID>")), REJECTED,
         rejects=((1, "LAchildID", "duplicate_key"), (2, "LAchildID", "duplicate_key")),
         file_rule="every_row_rejected", says="cin_census.xml (children): every one of its 2 rows was rejected"),
    Case("cin-same-file-twice", CIN_CENSUS, "the same return loaded again", twice(CIN), UNCHANGED,
         says="cin_census.xml (children): identical to load"),
    Case("cin-corrected-return", CIN_CENSUS, "a corrected return for the same year (C2's sex)",
         over(CIN, CIN.sub("<Sex>M</Sex>", "<Sex>F</Sex>")), SUPERSEDES,
         check=(_q.format("child_id, sex", "raw.cin_census_children"), [("C1", "F"), ("C2", "F")])),
    # CSWW census
    Case("csww-truncated-xml", CSWW, "the file cut off part-way through an element",
         over(CSWW_XML, CSWW_XML.cut(0.7)), REJECTED, file_rule="xml_syntax",
         says="csww.xml line 15, column 24: not well-formed XML (unclosed token"),
    Case("csww-reference-date-not-30-september", CSWW, "ReferenceDate 2024-03-31",
         over(CSWW_XML, CSWW_XML.sub("<ReferenceDate>2024-09-30", "<ReferenceDate>2024-03-31")), REJECTED,
         file_rule="bad_header", says="csww.xml: ReferenceDate 31/03/2024 is not 30 September of the census year 2024"),
    Case("csww-fte-above-one", CSWW, "a worker's FTE 1.5",
         alone(CSWW_XML.sub("<FTE>0.5</FTE>", "<FTE>1.5</FTE>")), QUARANTINED, rejects=((2, "FTE", "out_of_range"),),
         says="FTE 1.5 is above the maximum 1"),
    Case("csww-unknown-org-role", CSWW, "OrgRole 9",
         alone(CSWW_XML.sub("<OrgRole>3</OrgRole>", "<OrgRole>9</OrgRole>")), QUARANTINED,
         rejects=((2, "OrgRole", "code_unknown"),), says="OrgRole '9' is not a valid OrgRole code"),
    Case("csww-blank-registration-number", CSWW, "a worker with an empty SWENo",
         alone(CSWW_XML.sub("<SWENo>SW100003</SWENo>", "<SWENo></SWENo>")), QUARANTINED,
         rejects=((3, "SWENo", "required"),), says="SWENo is required but blank"),
    Case("csww-extra-element", CSWW, "an element the census does not have (Salary)",
         alone(CSWW_XML.sub("<Cases30>18</Cases30>", "<Cases30>18</Cases30><Salary>40000</Salary>")), NOTE,
         says="ignored column not in the contract: Salary",
         check=("select count(*) from raw.csww_workers", [(3,)])),
    # HR workers and vacancies
    Case("hr-workers-row-of-another-month", HR_WORKERS, "one row's month is October in November's file",
         alone(HR.set(2, "month", "31/10/2024")), QUARANTINED, rejects=((2, "month", "before_collection_year"),),
         says="month 31/10/2024 is before the start of the month Nov 2024 (01/11/2024)"),
    Case("hr-workers-every-row-another-month", HR_WORKERS, "every row is for October, sent over November's file",
         over(HR, HR.with_rows(*(r.replace("30/11/2024", "31/10/2024") for r in HR.rows))), REJECTED,
         rejects=((1, "month", "before_collection_year"), (2, "month", "before_collection_year"),
                  (3, "month", "before_collection_year")),
         file_rule="every_row_rejected", says="every one of its 3 rows was rejected, so it replaces nothing",
         cli_exit=1),
    Case("hr-workers-leaves-before-start", HR_WORKERS, "a leave date before the start date (both in the month)",
         alone(HR.set(3, "start_date", "15/11/2024").set(3, "leave_date", "10/11/2024").set(3, "leave_reason",
                                                                                               "resignation")),
         QUARANTINED, rejects=((3, "leave_date", "date_order"),), says="leave_date 10/11/2024 is before start_date"),
    Case("hr-workers-same-staff-number-twice", HR_WORKERS, "staff number E1001 on two rows with different FTE",
         alone(HR.plus_rows("30/11/2024,E1001,Locality 1 Assessment,SW,0.6,permanent,01/04/2019,,,0,18")),
         QUARANTINED, rejects=((1, "worker_id", "duplicate_key"), (4, "worker_id", "duplicate_key")),
         says="worker_id appears on 2 rows with different values"),
    Case("hr-workers-fte-as-text", HR_WORKERS, "FTE written 'full time'",
         alone(HR.set(1, "fte", "full time")), QUARANTINED, rejects=((1, "fte", "not_a_number"),),
         says="fte 'full time' is not a number"),
    Case("hr-workers-corrected-month", HR_WORKERS, "November's file sent again with one FTE corrected",
         over(HR, HR.set(2, "fte", "0.6")), SUPERSEDES,
         check=("select sum(fte) from raw.hr_workers", [(2.6,)])),
    Case("hr-vacancies-negative", HR_VACANCIES, "vacancy_fte -1",
         alone(VACANCIES.set(2, "vacancy_fte", "-1")), QUARANTINED, rejects=((2, "vacancy_fte", "out_of_range"),),
         says="vacancy_fte -1 is below the minimum 0"),
    Case("hr-vacancies-nan", HR_VACANCIES, "vacancy_fte 'NaN' (a pandas export's blank)",
         alone(VACANCIES.set(2, "vacancy_fte", "NaN")), QUARANTINED, rejects=((2, "vacancy_fte", "not_a_number"),),
         says="vacancy_fte 'NaN' is not a number"),
    # Complaints register
    Case("complaints-bad-record", COMPLAINTS, "one complaint answered before it started, over a good register",
         over(REGISTER, REGISTER.set(2, "stage1_response_date", "20/09/2024").at(
             "complaints/845/2024-12/complaints.csv")), REJECTED,
         rejects=((2, "stage1_response_date", "date_order"),), file_rule="register_incomplete",
         says="1 of its 3 records were rejected; a register replaces the previous one whole", cli_exit=1),
    Case("complaints-unknown-outcome", COMPLAINTS, "stage1_outcome 'resolved'",
         alone(REGISTER.set(1, "stage1_outcome", "resolved")), REJECTED,
         rejects=((1, "stage1_outcome", "code_unknown"),), file_rule="register_incomplete",
         says="stage1_outcome 'resolved' is not a valid stage1_outcome code"),
    Case("complaints-iso-date", COMPLAINTS, "received_date written 2024-09-25",
         alone(REGISTER.set(3, "received_date", "2024-09-25")), REJECTED,
         rejects=((3, "received_date", "date_format"),), file_rule="register_incomplete",
         says="received_date '2024-09-25' is not a real date in dd/mm/yyyy"),
    Case("complaints-older-register", COMPLAINTS, "October's register sent after November's",
         over(REGISTER, REGISTER.with_rows(*REGISTER.rows[:2]).at("complaints/845/2024-10/complaints.csv")),
         REJECTED, file_rule="older_register",
         says="complaints.csv: a register as at 31/10/2024 is older than the one loaded", cli_exit=1),
    Case("complaints-same-register-twice", COMPLAINTS, "the same register loaded again", twice(REGISTER), UNCHANGED,
         says="complaints.csv: identical to load"),
    Case("complaints-corrected-register", COMPLAINTS, "December's register: CC-2's stage 2 answered",
         over(REGISTER, REGISTER.set(2, "stage2_response_date", "07/11/2024").set(2, "stage2_outcome", "upheld")
              .at("complaints/845/2024-12/complaints.csv")), SUPERSEDES,
         check=(_q.format("reference, stage2_outcome", "raw.complaints_register"),
                [("CC-1", None), ("CC-2", "upheld"), ("CC-3", None)])),
    # QA activity log
    Case("qa-period-ends-before-start", QA_ACTIVITY, "a report's period ends before it starts",
         over(ACTIVITY, ACTIVITY.set(2, "period_end", "30/09/2024")), REJECTED,
         rejects=((2, "period_end", "date_order"),), file_rule="register_incomplete",
         says="period_end 30/09/2024 is before period_start 01/10/2024"),
    Case("qa-blank-delivered-date", QA_ACTIVITY, "a row with no delivered_date",
         alone(ACTIVITY.set(1, "delivered_date", "")), REJECTED, rejects=((1, "delivered_date", "required"),),
         file_rule="register_incomplete", says="delivered_date is required but blank"),
    Case("qa-missing-column", QA_ACTIVITY, "audience column left out",
         alone(ACTIVITY.without("audience")), REJECTED, file_rule="missing_columns", column="audience",
         says="row 0 (header): missing required column audience"),
    # Case-file audits and actions
    Case("audits-unknown-grade", AUDITS, "grade 'excellent'",
         over(AUDITS_CSV, AUDITS_CSV.set(3, "grade", "excellent")), REJECTED,
         rejects=((3, "grade", "code_unknown"),), file_rule="register_incomplete",
         says="grade 'excellent' is not a valid grade code"),
    Case("audits-same-reference-twice", AUDITS, "audit reference A2 on two different audits",
         alone(AUDITS_CSV.set(3, "audit_reference", "A2")), REJECTED,
         rejects=((2, "audit_reference", "duplicate_key"), (3, "audit_reference", "duplicate_key")),
         file_rule="register_incomplete", says="audit_reference appears on 2 rows with different values"),
    Case("audit-actions-number-as-text", AUDIT_ACTIONS, "action_number 'two'",
         alone(ACTIONS.set(2, "action_number", "two")), REJECTED, rejects=((2, "action_number", "not_a_number"),),
         file_rule="register_incomplete", says="action_number 'two' is not an integer"),
]
