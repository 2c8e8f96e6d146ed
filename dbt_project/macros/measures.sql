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

stock_measures as (

    select
        stock_facts_by_org.indicator_id,
        stock_facts_by_org.la_code,
        stock_facts_by_org.org_level,
        stock_facts_by_org.org_id,
        stock_days.as_at_date,
        count(distinct case
            when stock_facts_by_org.numerator_from <= stock_days.as_at_date then stock_facts_by_org.count_key
        end) as numerator,
        count(distinct stock_facts_by_org.count_key) as denominator

    from stock_facts_by_org
    inner join stock_days
        on stock_facts_by_org.la_code = stock_days.la_code
            and stock_facts_by_org.open_from <= stock_days.as_at_date
            and (stock_facts_by_org.open_until is null or stock_facts_by_org.open_until > stock_days.as_at_date)
    group by
        stock_facts_by_org.indicator_id,
        stock_facts_by_org.la_code,
        stock_facts_by_org.org_level,
        stock_facts_by_org.org_id,
        stock_days.as_at_date

),
{%- endmacro %}
