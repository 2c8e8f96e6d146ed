{#-
    The counting shared by the measures models (int_cin_, int_complaints_, int_audit_measures_computed): from
    flow_facts (indicator_id, la_code, service_id, team_id, count_key, event_date, is_numerator, is_denominator)
    and stock_facts (indicator_id, la_code, service_id, team_id, count_key, open_from, open_until, numerator_from),
    and the model's authority_scaffold (for the stock measures' days), the CTEs flow_measures and stock_measures
    (numerator and denominator per indicator, authority, org unit and period or as-at day). A fact counts for the
    authority, its service and its team where it has them; count_key is counted once. Call it inside a `with`
    after those CTEs; it ends with a comma.
-#}
{% macro count_measure_facts() -%}
{%- set org_levels = [('la', 'la_code'), ('service', 'service_id'), ('team', 'team_id')] %}

flow_facts_by_org as (

    {%- for org_level, org_column in org_levels %}
        select
            indicator_id,
            la_code,
            '{{ org_level }}' as org_level,
            {{ org_column }} as org_id,
            count_key,
            event_date,
            is_numerator,
            is_denominator
        from flow_facts
        where {{ org_column }} is not null
            and event_date is not null
        {{ "union all" if not loop.last }}
    {%- endfor %}

),

stock_facts_by_org as (

    {%- for org_level, org_column in org_levels %}
        select
            indicator_id,
            la_code,
            '{{ org_level }}' as org_level,
            {{ org_column }} as org_id,
            count_key,
            open_from,
            open_until,
            numerator_from
        from stock_facts
        where {{ org_column }} is not null
            and open_from is not null
        {{ "union all" if not loop.last }}
    {%- endfor %}

),

flow_facts_by_period as (

    -- financial-year quarters are calendar quarters (Q1 April-June), so each event's month, quarter and year
    -- are found without a range join
    select
        *,
        'month' as period_grain,
        cast(date_trunc('month', event_date) as date) as period_start
    from flow_facts_by_org

    union all

    select
        *,
        'quarter' as period_grain,
        cast(date_trunc('quarter', event_date) as date) as period_start
    from flow_facts_by_org

    union all

    select
        *,
        'year' as period_grain,
        make_date(year(event_date) - case when month(event_date) < 4 then 1 else 0 end, 4, 1) as period_start
    from flow_facts_by_org

),

flow_measures as (

    select
        indicator_id,
        la_code,
        org_level,
        org_id,
        period_grain,
        period_start,
        count(distinct case when is_numerator then count_key end) as numerator,
        count(distinct case when is_denominator then count_key end) as denominator

    from flow_facts_by_period
    group by indicator_id, la_code, org_level, org_id, period_grain, period_start

),

stock_days as (

    select distinct
        la_code,
        period_end as as_at_date

    from authority_scaffold
    where is_stock

),

-- Stock: how many keys are open on each as-at day. Joining every fact to every day it spans (a range join) grew
-- with facts x days and took half of a 20-authority build; instead each key's intervals are merged (a key open
-- twice at once counts once, as count(distinct) did), turned into +1/-1 changes, summed as a running count, and
-- each as-at day takes the count of its latest change (an ASOF join). The numerator is the same over the part of
-- each interval from numerator_from on.
stock_intervals as (

    select
        indicator_id, la_code, org_level, org_id, count_key,
        'denominator' as part,
        open_from as start_date,
        coalesce(open_until, date '9999-12-31') as end_date
    from stock_facts_by_org

    union all

    select
        indicator_id, la_code, org_level, org_id, count_key,
        'numerator' as part,
        greatest(open_from, numerator_from) as start_date,
        coalesce(open_until, date '9999-12-31') as end_date
    from stock_facts_by_org
    where numerator_from is not null

),

stock_intervals_ordered as (

    select
        *,
        max(end_date) over (
            partition by indicator_id, la_code, org_level, org_id, count_key, part
            order by start_date, end_date
            rows between unbounded preceding and 1 preceding
        ) as previous_end
    from stock_intervals
    where start_date < end_date

),

stock_islands as (

    select
        *,
        sum(case when previous_end is null or start_date > previous_end then 1 else 0 end) over (
            partition by indicator_id, la_code, org_level, org_id, count_key, part
            order by start_date, end_date
            rows unbounded preceding
        ) as island
    from stock_intervals_ordered

),

stock_changes as (

    select indicator_id, la_code, org_level, org_id, part, change_date, sum(change) as change
    from (
        select indicator_id, la_code, org_level, org_id, part, min(start_date) as change_date, 1 as change
        from stock_islands
        group by indicator_id, la_code, org_level, org_id, count_key, part, island

        union all

        select indicator_id, la_code, org_level, org_id, part, max(end_date) as change_date, -1 as change
        from stock_islands
        group by indicator_id, la_code, org_level, org_id, count_key, part, island
        having max(end_date) < date '9999-12-31'
    )
    group by indicator_id, la_code, org_level, org_id, part, change_date

),

stock_running as (

    select
        indicator_id, la_code, org_level, org_id, part, change_date,
        sum(change) over (
            partition by indicator_id, la_code, org_level, org_id, part
            order by change_date
            rows unbounded preceding
        ) as open_count
    from stock_changes

),

stock_groups as (

    select distinct indicator_id, la_code, org_level, org_id
    from stock_running

),

stock_group_days as (

    select stock_groups.*, stock_days.as_at_date
    from stock_groups
    inner join stock_days
        on stock_groups.la_code = stock_days.la_code

),

stock_numerators as (

    select * from stock_running where part = 'numerator'

),

stock_denominators as (

    select * from stock_running where part = 'denominator'

),

stock_measures as (

    select
        stock_group_days.indicator_id,
        stock_group_days.la_code,
        stock_group_days.org_level,
        stock_group_days.org_id,
        stock_group_days.as_at_date,
        coalesce(stock_numerators.open_count, 0) as numerator,
        coalesce(stock_denominators.open_count, 0) as denominator

    from stock_group_days
    asof left join stock_denominators
        on stock_group_days.indicator_id = stock_denominators.indicator_id
            and stock_group_days.la_code = stock_denominators.la_code
            and stock_group_days.org_level = stock_denominators.org_level
            and stock_group_days.org_id = stock_denominators.org_id
            and stock_group_days.as_at_date >= stock_denominators.change_date
    asof left join stock_numerators
        on stock_group_days.indicator_id = stock_numerators.indicator_id
            and stock_group_days.la_code = stock_numerators.la_code
            and stock_group_days.org_level = stock_numerators.org_level
            and stock_group_days.org_id = stock_numerators.org_id
            and stock_group_days.as_at_date >= stock_numerators.change_date
),
{%- endmacro %}
