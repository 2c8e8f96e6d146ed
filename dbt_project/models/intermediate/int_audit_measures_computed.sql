-- Numerator, denominator and value of every case-file audit indicator in the catalogue (domain audit), per
-- authority, org unit (org_level 'la' with org_id la_code, 'service' and 'team' from int_org_units_built), grain
-- (month, quarter, year) and period covered by the authority's audits file (int_audit_coverage: from the month of
-- its first audit to its as-at date; flows need the whole period inside it, the action stocks its last day and a
-- loaded actions file).
-- From int_case_file_audits_assessed (audits by audit_date), int_audit_requirements_assessed (required audits by
-- the end of their month or quarter), int_audit_themes_split and the actions file:
--   audits_completed                  case-file audits of any kind dated in the period
--   audits_required                   audits the framework requires in the period (practice managers: one per
--                                     case-holding social worker in post a month, from the HR extract, else one
--                                     per worker audited that month; operations managers: one per team a month;
--                                     peer: one per team a quarter, counted in the quarter's last month)
--   audits_completion_pct             of those required, the ones done (the right worker or team in the month or
--                                     quarter: an extra audit does not make up for a missing one)
--   audits_supervision_completion_pct the practice managers' part alone (3.16: one case a month for each
--                                     case-holding social worker): of the workers needing one, those audited
--   audits_good_or_better_pct         of the audits in the period with a grade, those outstanding or good
--   audits_grade_<grade>_count        audits in the period by grade (no grade: in none)
--   audits_theme_<theme>_pct          of all audits in the period, those finding the theme
--   audits_follow_up_compliance_pct   of the significant-concern audits in the period whose three months have
--                                     passed by the as-at date, those with two follow-up files and the re-review
--   audit_actions_open                at the period's last day: actions of audits dated on or before it, not
--                                     completed on or before it (actions whose audit is not in the file: none)
--   audit_actions_overdue             of those, the ones due before that day
-- Counting follows int_complaints_measures_computed: flow facts (an event date, in the numerator and/or the
-- denominator) and stock facts (open from open_from until open_until, exclusive; in the numerator from
-- numerator_from); a fact counts for the authority, its service and its team where it has them. A covered period
-- with nothing to count gives zero (percentages: 0 of 0, value null).
with

periods as (

    select * from {{ ref('periods') }}

),

coverage as (

    select * from {{ ref('int_audit_coverage') }}

),

catalogue as (

    select
        indicator_id,
        unit,
        is_stock

    from {{ ref('indicator_catalogue') }}
    where domain = 'audit'

),

org_units as (

    select
        la_code,
        org_level,
        org_id

    from {{ ref('int_org_units_built') }}
    where org_level in ('service', 'team')

),

audits as (

    select * from {{ ref('int_case_file_audits_assessed') }}

),

themes as (

    select * from {{ ref('int_audit_themes_split') }}
    where is_known_theme

),

requirements as (

    select * from {{ ref('int_audit_requirements_assessed') }}

),

actions as (

    -- one row per action (the latest file's, should two hold it), dated and attributed by its audit
    select
        actions.la_code,
        actions.audit_reference || '#' || cast(actions.action_number as varchar) as action_key,
        actions.due_date,
        actions.completed_date,
        audits.audit_date,
        audits.team_id,
        audits.service_id

    from {{ ref('stg_audits__audit_actions') }} as actions
    inner join audits
        on actions.la_code = audits.la_code
            and actions.audit_reference = audits.audit_reference
    where actions.action_number is not null
    qualify row_number() over (
            partition by actions.la_code, actions.audit_reference, actions.action_number
            order by actions.load_id desc, actions.source_row desc
        ) = 1

),

covered_periods as (

    select
        coverage.la_code,
        coverage.has_actions,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        periods.financial_year,
        periods.period_start >= coverage.coverage_start as is_fully_covered

    from periods
    inner join coverage
        on periods.period_end between coverage.coverage_start and coverage.coverage_end

),

authority_scaffold as (

    select
        covered_periods.*,
        catalogue.indicator_id,
        catalogue.unit,
        catalogue.is_stock

    from covered_periods
    cross join catalogue
    where (catalogue.is_stock and covered_periods.has_actions)
        or (not catalogue.is_stock and covered_periods.is_fully_covered)

),

scaffold as (

    select
        authority_scaffold.*,
        'la' as org_level,
        authority_scaffold.la_code as org_id

    from authority_scaffold

    union all

    select
        authority_scaffold.*,
        org_units.org_level,
        org_units.org_id

    from authority_scaffold
    inner join org_units
        on authority_scaffold.la_code = org_units.la_code

),

theme_list as (

    select unnest([{{ sql_list(audit_themes()) }}]) as theme

),

flow_facts as (

    select
        'audits_completed' as indicator_id,
        la_code,
        team_id,
        service_id,
        audit_reference as count_key,
        audit_date as event_date,
        true as is_numerator,
        true as is_denominator
    from audits

    union all

    select
        'audits_required' as indicator_id,
        la_code,
        team_id,
        service_id,
        audit_kind || '|' || unit_key || '|' || cast(window_start as varchar) as count_key,
        window_end as event_date,
        true as is_numerator,
        true as is_denominator
    from requirements

    union all

    select
        'audits_completion_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        audit_kind || '|' || unit_key || '|' || cast(window_start as varchar) as count_key,
        window_end as event_date,
        is_done as is_numerator,
        true as is_denominator
    from requirements

    union all

    select
        'audits_supervision_completion_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        unit_key || '|' || cast(window_start as varchar) as count_key,
        window_end as event_date,
        is_done as is_numerator,
        true as is_denominator
    from requirements
    where audit_kind = 'practice_manager'

    union all

    select
        'audits_good_or_better_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        audit_reference as count_key,
        audit_date as event_date,
        is_good_or_better as is_numerator,
        true as is_denominator
    from audits
    where is_good_or_better is not null

    union all

    select
        'audits_grade_' || grade || '_count' as indicator_id,
        la_code,
        team_id,
        service_id,
        audit_reference as count_key,
        audit_date as event_date,
        true as is_numerator,
        true as is_denominator
    from audits
    where grade in ({{ sql_list(audit_grades()) }})

    union all

    select
        'audits_theme_' || theme_list.theme || '_pct' as indicator_id,
        audits.la_code,
        audits.team_id,
        audits.service_id,
        audits.audit_reference as count_key,
        audits.audit_date as event_date,
        themes.audit_reference is not null as is_numerator,
        true as is_denominator
    from audits
    cross join theme_list
    left join themes
        on audits.la_code = themes.la_code
            and audits.audit_reference = themes.audit_reference
            and theme_list.theme = themes.theme

    union all

    select
        'audits_follow_up_compliance_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        audit_reference as count_key,
        audit_date as event_date,
        coalesce(follow_up_compliant, false) as is_numerator,
        true as is_denominator
    from audits
    where follow_up_due_date <= as_at_date

),

stock_facts as (

    -- an action is open from its audit's date until it is completed (completed on day d: not open on d);
    -- overdue from the day after its due date
    select
        'audit_actions_open' as indicator_id,
        la_code,
        team_id,
        service_id,
        action_key as count_key,
        audit_date as open_from,
        completed_date as open_until,
        audit_date as numerator_from
    from actions

    union all

    select
        'audit_actions_overdue' as indicator_id,
        la_code,
        team_id,
        service_id,
        action_key as count_key,
        audit_date as open_from,
        completed_date as open_until,
        case when due_date is not null then greatest(audit_date, cast(due_date + 1 as date)) end as numerator_from
    from actions

),

{{ count_measure_facts() }}

combined as (

    select
        scaffold.la_code,
        scaffold.org_level,
        scaffold.org_id,
        scaffold.indicator_id,
        scaffold.period_grain,
        scaffold.period_start,
        scaffold.period_end,
        scaffold.period_label,
        scaffold.financial_year,
        scaffold.unit,
        coalesce(stock_measures.numerator, flow_measures.numerator, 0) as numerator,
        case scaffold.unit
            when 'count' then null
            else coalesce(stock_measures.denominator, flow_measures.denominator, 0)
        end as denominator

    from scaffold
    left join stock_measures
        on scaffold.is_stock
            and scaffold.la_code = stock_measures.la_code
            and scaffold.org_level = stock_measures.org_level
            and scaffold.org_id = stock_measures.org_id
            and scaffold.indicator_id = stock_measures.indicator_id
            and scaffold.period_end = stock_measures.as_at_date
    left join flow_measures
        on not scaffold.is_stock
            and scaffold.la_code = flow_measures.la_code
            and scaffold.org_level = flow_measures.org_level
            and scaffold.org_id = flow_measures.org_id
            and scaffold.indicator_id = flow_measures.indicator_id
            and scaffold.period_grain = flow_measures.period_grain
            and scaffold.period_start = flow_measures.period_start

),

final as (

    select
        la_code,
        org_level,
        org_id,
        indicator_id,
        period_grain,
        period_start,
        period_end,
        period_label,
        financial_year,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        case unit
            when 'count' then cast(numerator as double)
            when 'percent' then case when denominator > 0 then 100.0 * numerator / denominator end
        end as value

    from combined

)

select * from final
