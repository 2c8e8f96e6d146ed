-- The authority's own social work workforce census return (CSWW, as at 30 September of census_year), summarised
-- as the DfE publishes it (csww_indicators_2017_to_2025.csv, whose time_period is the census year), so a council
-- can check its return against the publication and against England. One row per authority and census year.
-- Definitions (DfE's, as read from the published figures and the census guide):
-- - in post: not an agency worker, FTE above 0 and no leaving date (the census year's leavers have left by
--   30 September; the ingest refuses leaving dates outside the year);
-- - agency: an agency worker with FTE above 0 and no leaving date;
-- - starters: not agency, RoleStartDate within the census year (1 October to 30 September), at their FTE;
-- - leavers: not agency, RoleEndDate within the census year, at their leaving FTE: FTE30 where FTE is 0 or
--   missing (the census records a leaver's FTE there), else FTE;
-- - turnover = leavers FTE / in-post FTE; agency rate = agency FTE / (agency + in-post FTE); vacancy rate =
--   vacancy FTE / (vacancy + in-post FTE); percentages 0-100;
-- - case holders: workers in post, agency included, holding at least one case on 30 September (Cases30 > 0);
--   caseload = their cases / their FTE;
-- - sickness: working days lost over the year by the social workers in post (not agency), per in-post FTE.
-- Beside each rate: DfE's published figure for this authority (a check of the return against the publication)
-- and for England, for the same census year; null where not (yet) published or suppressed.
with

workers as (

    select * from {{ ref('stg_csww__workers') }}

),

vacancies as (

    select * from {{ ref('stg_csww__vacancies') }}

),

published as (

    select
        time_period,
        geographic_level,
        la_code,
        turnover_rate_fte,
        agency_rate_fte,
        vacancy_rate_fte,
        caseload_fte,
        round(working_days_lost_fte / nullif(inpost_fte, 0), 1) as working_days_lost_per_fte

    from {{ ref('stg_dfe__csww_indicators') }}
    where geographic_level in ('national', 'la')

),

classified as (

    select
        la_code,
        census_year,
        fte,
        cases_held,
        working_days_lost,
        not is_agency and fte > 0 and role_end_date is null as is_in_post,
        is_agency and fte > 0 and role_end_date is null as is_agency_in_post,
        not is_agency
        and role_start_date between make_date(census_year - 1, 10, 1) and reference_date as is_starter,
        not is_agency
        and role_end_date between make_date(census_year - 1, 10, 1) and reference_date as is_leaver,
        coalesce(nullif(fte, 0), leaver_fte, 0) as leaving_fte

    from workers

),

summed as (

    select
        la_code,
        census_year,
        sum(case when is_in_post then fte else 0 end) as inpost_fte,
        count(*) filter (where is_in_post) as inpost_headcount,
        sum(case when is_agency_in_post then fte else 0 end) as agency_fte,
        count(*) filter (where is_agency_in_post) as agency_headcount,
        sum(case when is_starter then fte else 0 end) as starters_fte,
        count(*) filter (where is_starter) as starters_headcount,
        sum(case when is_leaver then leaving_fte else 0 end) as leavers_fte,
        count(*) filter (where is_leaver) as leavers_headcount,
        sum(case when (is_in_post or is_agency_in_post) and cases_held > 0 then fte else 0 end)
            as case_holders_fte,
        sum(case when (is_in_post or is_agency_in_post) and cases_held > 0 then cases_held else 0 end) as cases,
        sum(case when is_in_post then coalesce(working_days_lost, 0) else 0 end) as working_days_lost

    from classified
    group by la_code, census_year

),

final as (

    select
        summed.la_code,
        summed.census_year,
        make_date(summed.census_year, 9, 30) as reference_date,
        round(summed.inpost_fte, 2) as inpost_fte,
        summed.inpost_headcount,
        round(summed.agency_fte, 2) as agency_fte,
        summed.agency_headcount,
        round(summed.starters_fte, 2) as starters_fte,
        summed.starters_headcount,
        round(summed.leavers_fte, 2) as leavers_fte,
        summed.leavers_headcount,
        vacancies.vacancies_fte,
        round(100 * summed.leavers_fte / nullif(summed.inpost_fte, 0), 1) as turnover_rate_fte,
        round(100 * summed.agency_fte / nullif(summed.agency_fte + summed.inpost_fte, 0), 1) as agency_rate_fte,
        round(100 * vacancies.vacancies_fte / nullif(vacancies.vacancies_fte + summed.inpost_fte, 0), 1)
            as vacancy_rate_fte,
        round(summed.case_holders_fte, 2) as case_holders_fte,
        cast(summed.cases as integer) as cases,
        round(summed.cases / nullif(summed.case_holders_fte, 0), 1) as caseload_fte,
        round(summed.working_days_lost, 2) as working_days_lost,
        round(summed.working_days_lost / nullif(summed.inpost_fte, 0), 1) as working_days_lost_per_fte,
        published_la.turnover_rate_fte as published_turnover_rate_fte,
        published_la.agency_rate_fte as published_agency_rate_fte,
        published_la.vacancy_rate_fte as published_vacancy_rate_fte,
        published_la.caseload_fte as published_caseload_fte,
        published_la.working_days_lost_per_fte as published_working_days_lost_per_fte,
        england.turnover_rate_fte as england_turnover_rate_fte,
        england.agency_rate_fte as england_agency_rate_fte,
        england.vacancy_rate_fte as england_vacancy_rate_fte,
        england.caseload_fte as england_caseload_fte,
        england.working_days_lost_per_fte as england_working_days_lost_per_fte

    from summed
    left join vacancies
        on summed.la_code = vacancies.la_code
            and summed.census_year = vacancies.census_year
    left join published as published_la
        on published_la.geographic_level = 'la'
            and summed.la_code = published_la.la_code
            and summed.census_year = published_la.time_period
    left join published as england
        on england.geographic_level = 'national'
            and summed.census_year = england.time_period

)

select * from final
