-- Numerator, denominator and value of every complaints indicator in the catalogue (domain complaints), per
-- authority, org unit (org_level 'la' with org_id la_code, 'service' and 'team' from int_org_units_built), grain
-- (month, quarter, year) and period covered by the authority's register (int_complaints_coverage: flows need the
-- whole period inside it, the learning-action stocks the period's last day).
-- From int_complaints_timed, complaints only (record_type complaint) except compliments_received:
--   complaints_stageN_received            stage N started in the period
--   complaints_stageN_within_timescale_pct   of stage N responses dated in the period, those within the timescale
--   complaints_upheld_pct                 of stage 1 responses in the period with an outcome other than withdrawn
--                                         (upheld, partly upheld, not upheld), those upheld or partly upheld
--   complaints_escalated_pct              of stage 1 responses in the period, those whose complaint has a stage 2
--                                         start (whenever it came: recent periods can still rise)
--   complaints_nature_<code>_count        stage 1 started in the period, by nature (no nature: in none)
--   complaints_learning_actions_open      at the period's last day: learning actions (status open, or completed
--                                         after that day; not 'not_required') of complaints received on or before it
--   complaints_learning_actions_overdue   of those, the ones due before that day
--   compliments_received                  compliments received in the period
-- Counting follows int_cin_measures_computed: flow facts (an event date, in the numerator and/or denominator) and
-- stock facts (open from open_from until open_until, exclusive; in the numerator from numerator_from); a record
-- counts for the authority, its service and its team where it has them. A covered period with nothing to count
-- gives zero (percentages: 0 of 0, value null).
{%- set timescale_stages = [1, 2, 3] %}

with

periods as (

    select * from {{ ref('periods') }}

),

coverage as (

    select * from {{ ref('int_complaints_coverage') }}

),

catalogue as (

    select
        indicator_id,
        unit,
        is_stock

    from {{ ref('indicator_catalogue') }}
    where domain = 'complaints'

),

org_units as (

    select
        la_code,
        org_level,
        org_id

    from {{ ref('int_org_units_built') }}
    where org_level in ('service', 'team')

),

records as (

    select * from {{ ref('int_complaints_timed') }}

),

complaints as (

    select * from records
    where record_type = 'complaint'

),

covered_periods as (

    select
        coverage.la_code,
        coverage.coverage_start,
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
    where catalogue.is_stock or covered_periods.is_fully_covered

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

flow_facts as (

    {%- for stage in timescale_stages %}
    select
        'complaints_stage{{ stage }}_received' as indicator_id,
        la_code,
        team_id,
        service_id,
        reference as count_key,
        stage{{ stage }}_start_date as event_date,
        true as is_numerator,
        true as is_denominator
    from complaints

    union all

    select
        'complaints_stage{{ stage }}_within_timescale_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        reference as count_key,
        stage{{ stage }}_response_date as event_date,
        stage{{ stage }}_within_timescale as is_numerator,
        true as is_denominator
    from complaints
    where stage{{ stage }}_within_timescale is not null

    union all
    {%- endfor %}

    select
        'complaints_upheld_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        reference as count_key,
        stage1_response_date as event_date,
        stage1_outcome in ('upheld', 'partly_upheld') as is_numerator,
        true as is_denominator
    from complaints
    where stage1_outcome in ('upheld', 'partly_upheld', 'not_upheld')

    union all

    select
        'complaints_escalated_pct' as indicator_id,
        la_code,
        team_id,
        service_id,
        reference as count_key,
        stage1_response_date as event_date,
        stage2_start_date is not null as is_numerator,
        true as is_denominator
    from complaints

    union all

    select
        'complaints_nature_' || nature || '_count' as indicator_id,
        la_code,
        team_id,
        service_id,
        reference as count_key,
        stage1_start_date as event_date,
        true as is_numerator,
        true as is_denominator
    from complaints
    where nature in ({{ "'" ~ complaint_natures() | join("', '") ~ "'" }})

    union all

    select
        'compliments_received' as indicator_id,
        la_code,
        team_id,
        service_id,
        reference as count_key,
        received_date as event_date,
        true as is_numerator,
        true as is_denominator
    from records
    where record_type = 'compliment'

),

stock_facts as (

    -- a learning action is open from its complaint's receipt until it is completed (completed on day d: not open
    -- on d); overdue from the day after its due date
    select
        'complaints_learning_actions_open' as indicator_id,
        la_code,
        team_id,
        service_id,
        reference as count_key,
        coalesce(received_date, stage1_start_date) as open_from,
        case when learning_action_status = 'completed' then learning_action_completed_date end as open_until,
        coalesce(received_date, stage1_start_date) as numerator_from
    from complaints
    where learning_action_status in ('open', 'completed')

    union all

    select
        'complaints_learning_actions_overdue' as indicator_id,
        la_code,
        team_id,
        service_id,
        reference as count_key,
        coalesce(received_date, stage1_start_date) as open_from,
        case when learning_action_status = 'completed' then learning_action_completed_date end as open_until,
        case
            when learning_action_due_date is not null
                then greatest(coalesce(received_date, stage1_start_date), cast(learning_action_due_date + 1 as date))
        end as numerator_from
    from complaints
    where learning_action_status in ('open', 'completed')

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
