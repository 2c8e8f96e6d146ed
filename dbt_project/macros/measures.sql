{#-
    The counting shared by the measures models (int_cin_, int_complaints_, int_audit_measures_computed): from
    flow_facts (indicator_id, la_code, service_id, team_id, count_key, event_date, is_numerator, is_denominator)
    and stock_facts (indicator_id, la_code, service_id, team_id, count_key, open_from, open_until, numerator_from),
    and the model's authority_scaffold (for the stock measures' days), the CTEs flow_measures and stock_measures
    (numerator and denominator per indicator, authority, org unit and period or as-at day). A fact counts for the
    authority, its service and its team where it has them; count_key is counted once per authority, so a key
    in two teams counts once for each team and once for their service and authority. Call it inside a `with`
    after those CTEs; it ends with a comma.

    How, and why this way: counting distinct keys in every (org unit, period) group was most of a national
    build (a count(distinct) over 9 copies of 38 million flow facts: 172 s; stock facts joined to every as-at
    day of their authority: 99 s). Nearly every key is one event in one team and month, or one open spell on
    a given day, and such keys can be counted per team and month (or day) and summed up to services,
    authorities, quarters and years. Keys that could be counted twice that way (the same key in several
    facts: flows; or in facts open at the same time: stocks) keep their count_key to the end and are counted
    distinct there. Keys are compared by a 64-bit hash of (la_code, count_key) only to pick that path: two
    keys sharing a hash are both sent down the distinct path, so a collision costs time, never a wrong count.
    Stock days are the scaffold's period ends, which are month ends (tested on periods): each stock fact is
    expanded to the month ends it is open on, rather than compared with every day of its authority.
-#}
{% macro count_measure_facts() -%}

flow_facts_keyed as (

    select
        indicator_id,
        la_code,
        service_id,
        team_id,
        count_key,
        hash(la_code, count_key) as key_hash,
        cast(date_trunc('month', event_date) as date) as month_start,
        is_numerator,
        is_denominator

    from flow_facts
    where event_date is not null
        and count_key is not null

),

flow_repeated_keys as (

    -- keys in more than one fact (or sharing a hash with another key)
    select
        indicator_id,
        key_hash

    from flow_facts_keyed
    group by indicator_id, key_hash
    having count(*) > 1

),

flow_unit_months as (

    -- per team (or service, or authority only) and month: numerator and denominator, each key counted once,
    -- except that a repeated key keeps its own row (count_key not null) to be counted distinct later
    select
        flow_facts_keyed.indicator_id,
        flow_facts_keyed.la_code,
        flow_facts_keyed.service_id,
        flow_facts_keyed.team_id,
        flow_facts_keyed.month_start,
        case when flow_repeated_keys.key_hash is not null then flow_facts_keyed.count_key end as count_key,
        count_if(flow_facts_keyed.is_numerator) as numerator,
        count_if(flow_facts_keyed.is_denominator) as denominator

    from flow_facts_keyed
    left join flow_repeated_keys
        on flow_facts_keyed.indicator_id = flow_repeated_keys.indicator_id
            and flow_facts_keyed.key_hash = flow_repeated_keys.key_hash
    group by all

),

flow_unit_months_by_org as (

    {{- counts_by_org_unit('flow_unit_months', 'month_start') }}

),

flow_unit_months_by_period as (

    -- financial-year quarters are calendar quarters (Q1 April-June), so each month's quarter and year are found
    -- without a range join
    select
        *,
        'month' as period_grain,
        month_start as period_start
    from flow_unit_months_by_org

    union all

    select
        *,
        'quarter' as period_grain,
        cast(date_trunc('quarter', month_start) as date) as period_start
    from flow_unit_months_by_org

    union all

    select
        *,
        'year' as period_grain,
        make_date(year(month_start) - case when month(month_start) < 4 then 1 else 0 end, 4, 1) as period_start
    from flow_unit_months_by_org

),

flow_measures as (

    select
        indicator_id,
        la_code,
        org_level,
        org_id,
        period_grain,
        period_start,
        {{ unit_counts_summed('numerator') }} as numerator,
        {{ unit_counts_summed('denominator') }} as denominator

    from flow_unit_months_by_period
    group by indicator_id, la_code, org_level, org_id, period_grain, period_start

),

stock_days as (

    select distinct
        la_code,
        period_end as as_at_date

    from authority_scaffold
    where is_stock

),

stock_day_span as (

    select
        la_code,
        min(as_at_date) as first_day,
        max(as_at_date) as last_day

    from stock_days
    group by la_code

),

stock_facts_keyed as (

    select
        *,
        hash(la_code, count_key) as key_hash

    from stock_facts
    where open_from is not null
        and count_key is not null

),

stock_repeated_keys as (

    select
        indicator_id,
        key_hash

    from stock_facts_keyed
    group by indicator_id, key_hash
    having count(*) > 1

),

stock_overlapping_keys as (

    -- of the repeated keys, those with two facts open at the same time (only these could be counted twice on a
    -- day; a child's successive episodes are not): a fact starting before an earlier-starting one has ended
    select distinct
        indicator_id,
        key_hash

    from (
        select
            stock_facts_keyed.indicator_id,
            stock_facts_keyed.key_hash,
            stock_facts_keyed.open_from,
            max(coalesce(stock_facts_keyed.open_until, date '9999-12-31')) over (
                partition by stock_facts_keyed.indicator_id, stock_facts_keyed.key_hash
                order by stock_facts_keyed.open_from, stock_facts_keyed.open_until
                rows between unbounded preceding and 1 preceding
            ) as earlier_open_until

        from stock_facts_keyed
        semi join stock_repeated_keys
            on stock_facts_keyed.indicator_id = stock_repeated_keys.indicator_id
                and stock_facts_keyed.key_hash = stock_repeated_keys.key_hash
    ) as repeated_facts
    where open_from < earlier_open_until

),

stock_fact_month_ends as (

    -- each fact on each month end it is open (open_from on or before it, open_until after it), within its
    -- authority's stock days: from the month end of open_from to the last month end before open_until
    select
        stock_facts_keyed.indicator_id,
        stock_facts_keyed.la_code,
        stock_facts_keyed.service_id,
        stock_facts_keyed.team_id,
        case when stock_overlapping_keys.key_hash is not null then stock_facts_keyed.count_key end as count_key,
        stock_facts_keyed.numerator_from,
        cast(
            unnest(generate_series(
                date_trunc('month', greatest(stock_facts_keyed.open_from, stock_day_span.first_day)),
                date_trunc('month', least(stock_facts_keyed.open_until, stock_day_span.last_day + 1))
                - interval 1 month,
                interval 1 month
            )) + interval 1 month - interval 1 day
            as date
        ) as as_at_date

    from stock_facts_keyed
    inner join stock_day_span
        on stock_facts_keyed.la_code = stock_day_span.la_code
    left join stock_overlapping_keys
        on stock_facts_keyed.indicator_id = stock_overlapping_keys.indicator_id
            and stock_facts_keyed.key_hash = stock_overlapping_keys.key_hash

),

stock_unit_days as (

    select
        stock_fact_month_ends.indicator_id,
        stock_fact_month_ends.la_code,
        stock_fact_month_ends.service_id,
        stock_fact_month_ends.team_id,
        stock_fact_month_ends.as_at_date,
        stock_fact_month_ends.count_key,
        count_if(stock_fact_month_ends.numerator_from <= stock_fact_month_ends.as_at_date) as numerator,
        count(*) as denominator

    from stock_fact_month_ends
    inner join stock_days
        on stock_fact_month_ends.la_code = stock_days.la_code
            and stock_fact_month_ends.as_at_date = stock_days.as_at_date
    group by all

),

stock_unit_days_by_org as (

    {{- counts_by_org_unit('stock_unit_days', 'as_at_date') }}

),

stock_measures as (

    select
        indicator_id,
        la_code,
        org_level,
        org_id,
        as_at_date,
        {{ unit_counts_summed('numerator') }} as numerator,
        {{ unit_counts_summed('denominator') }} as denominator

    from stock_unit_days_by_org
    group by indicator_id, la_code, org_level, org_id, as_at_date

),
{%- endmacro %}


{#- Each row of a unit's counts (team, service or authority only) once for each org unit it counts for. -#}
{% macro counts_by_org_unit(source, day_column) -%}
    {%- for org_level, org_column in [('la', 'la_code'), ('service', 'service_id'), ('team', 'team_id')] %}
        select
            indicator_id,
            la_code,
            '{{ org_level }}' as org_level,
            {{ org_column }} as org_id,
            {{ day_column }},
            count_key,
            numerator,
            denominator
        from {{ source }}
        where {{ org_column }} is not null
        {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- A measure over a unit's counts: the counts of keys found once, summed, plus each repeated key (its rows keep
    count_key) once if any of its rows counts. -#}
{% macro unit_counts_summed(column) -%}
    coalesce(sum({{ column }}) filter (where count_key is null), 0)
    + count(distinct case when {{ column }} > 0 then count_key end)
{%- endmacro %}
