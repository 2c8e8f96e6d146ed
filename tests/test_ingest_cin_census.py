"""The CIN census XML return: flattened into tables, checked, loaded whole or not at all."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.load import ingest_paths

CENSUS = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2025</Year><ReferenceDate>2025-03-31</ReferenceDate>
    </CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>845</LEA></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers><LAchildID>C1</LAchildID><UPN>A123456789012</UPN><Sex>F</Sex>
        <PersonBirthDate>2015-01-02</PersonBirthDate></ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>WBRI</Ethnicity>
        <Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-05-01</CINreferralDate><ReferralSource>1B</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>
        <Assessments>
          <AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2024-06-20</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment><AssessmentFactors>2A</AssessmentFactors>
            <AssessmentFactors>3A</AssessmentFactors></FactorsIdentifiedAtAssessment>
        </Assessments>
        <Section47><S47ActualStartDate>2024-05-03</S47ActualStartDate>
          <InitialCPCtarget>2024-05-24</InitialCPCtarget><DateOfInitialCPC>2024-05-23</DateOfInitialCPC>
          <ICPCnotRequired>false</ICPCnotRequired></Section47>
        <ChildProtectionPlans><CPPstartDate>2024-05-23</CPPstartDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>1</NumberOfPreviousCPP>
          <Reviews><CPPreviewDate>2024-08-15</CPPreviewDate><CPPreviewDate>2025-02-10</CPPreviewDate></Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers><LAchildID>C2</LAchildID><Sex>M</Sex><PersonBirthDate>2012-03-04</PersonBirthDate>
      </ChildIdentifiers>
      <CINdetails><CINreferralDate>2024-09-01</CINreferralDate><ReferralNFA>true</ReferralNFA>
        <CINclosureDate>2024-09-01</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure></CINdetails>
      <CINdetails><CINreferralDate>2025-04-09</CINreferralDate><ReferralNFA>false</ReferralNFA></CINdetails>
    </Child>
  </Children>
</Message>
"""


def q(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_census_flattens_into_tables_with_authority_and_year_from_its_header(data_dir, tmp_path):
    f = tmp_path / "cin_census.xml"  # no authority or year in the path: the header says 845, 2024-25
    f.write_text(CENSUS)
    outcomes = {o.table: o for o in ingest_paths(data_dir.landing, [f])}
    counts = {t: (o.rows_read, o.rows_loaded, o.rows_rejected) for t, o in outcomes.items()}
    assert counts == {
        "cin_census.children": (2, 2, 0),
        "cin_census.referrals": (3, 2, 1),  # C2's second referral is after 31 March 2025
        "cin_census.assessments": (1, 1, 0),
        "cin_census.cin_plans": (0, 0, 0),
        "cin_census.section47": (1, 1, 0),
        "cin_census.cp_plans": (1, 1, 0),
        "cin_census.cp_reviews": (2, 2, 0),
    }
    assert q(data_dir.landing, "select distinct la_code, collection_year from meta.loads") == [("845", 2025)]
    assert q(data_dir.landing, "select child_id, assessment_factors from raw.cin_census_assessments") == [
        ("C1", "2A;3A")]
    assert q(data_dir.landing, "select child_id, referral_nfa from raw.cin_census_referrals order by 1") == [
        ("C1", False), ("C2", True)]
    assert q(data_dir.landing, "select previous_cp_plans, initial_category from raw.cin_census_cp_plans") == [
        (1, "NEG")]
    con = duckdb.connect(str(data_dir.landing), read_only=True)
    try:
        assert "A123456789012" not in repr(con.sql("select * from raw.cin_census_children").fetchall())
    finally:
        con.close()


def test_malformed_xml_is_rejected_naming_the_line(data_dir, tmp_path):
    f = tmp_path / "845" / "2024-25" / "cin_census.xml"
    f.parent.mkdir(parents=True)
    f.write_text(CENSUS.replace("</Children>", "</Childs>"))
    outcomes = ingest_paths(data_dir.landing, [f])
    assert {o.status for o in outcomes} == {"rejected"}
    assert "cin_census.xml line" in outcomes[0].message and "not well-formed XML" in outcomes[0].message
    assert q(data_dir.landing, "select count(*) from raw.cin_census_children") == [(0,)]


def test_same_census_twice_changes_nothing(data_dir, tmp_path):
    f = tmp_path / "cin_census.xml"
    f.write_text(CENSUS)
    ingest_paths(data_dir.landing, [f])
    assert {o.status for o in ingest_paths(data_dir.landing, [f])} == {"unchanged"}
    assert q(data_dir.landing, "select count(*) from meta.loads") == [(7,)]
