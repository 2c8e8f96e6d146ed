-- Numerator, denominator and value of every children-looked-after indicator in the catalogue, per authority,
-- grain (month, quarter, year) and period. Only covered periods are emitted (see int_la_coverage): stock
-- indicators need the period's last day covered (and, for a look-back measure, the whole look-back window:
-- 12 months for 3+ placements, 30 months for long-term stability);
-- flow indicators need the whole period covered. A covered period with nothing to count gives zero.
{#- stock measures: (indicator_id, numerator column, denominator column or none) from the snapshot counts -#}
{%- set stock_measures = [
    ('cla_at_period_end', 'cla', none),
    ('cla_rate_per_10k', 'cla', none),
    ('cla_3plus_placements_pct', 'cla_3plus_placements', 'cla'),
    ('cla_long_term_stability_pct', 'long_term_stable', 'long_term_eligible'),
    ('cla_placed_over_20_miles_pct', 'placed_over_20_miles', 'distance_known'),
    ('cla_placed_outside_la_pct', 'placed_outside_la', 'location_known'),
] -%}
{%- for group in placement_type_groups() -%}
    {%- do stock_measures.append(('cla_placement_type_' ~ group ~ '_count', 'type_' ~ group, none)) -%}
    {%- do stock_measures.append(('cla_placement_type_' ~ group ~ '_pct', 'type_' ~ group, 'cla')) -%}
{%- endfor -%}
{%- for group in provider_groups() -%}
    {%- do stock_measures.append(('cla_provider_' ~ group ~ '_count', 'provider_' ~ group, none)) -%}
    {%- do stock_measures.append(('cla_provider_' ~ group ~ '_pct', 'provider_' ~ group, 'cla')) -%}
{%- endfor -%}
{#- stock measures that look back from the period's last day: months of history that must be loaded, or
    the measure is biased (placements, periods of care and carers that ended before the first loaded return
    are invisible). With 30 months loaded, every child in care since before the first return is seen to be
    in care (and with the same carer) since at least the coverage start, so long-term stability is exact. -#}
{%- set lookback_months = {'cla_3plus_placements_pct': 12, 'cla_long_term_stability_pct': 30} %}

with

periods as (

    select * from {{ ref('periods') }}

),

coverage as (

    select * from {{ ref('int_la_coverage') }}

),

catalogue as (

    select
        indicator_id,
        unit,
        is_stock

    from {{ ref('indicator_catalogue') }}
    where domain = 'children_looked_after'

),

snapshots as (

    select * from {{ ref('int_cla_snapshots_built') }}

),

care_periods as (

    select * from {{ ref('int_care_periods_built') }}

),

population as (

    -- children aged 0 to 17: '0-17' as the contract writes it, or ONS/DfE wording ('Children aged 0 to 17 years')
    select * from {{ ref('stg_reference__population') }}
    where regexp_matches(lower(age_group), '(^|[^0-9])0\s*(-|to)\s*17([^0-9]|$)')

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

scaffold as (

    select
        covered_periods.*,
        catalogue.indicator_id,
        catalogue.unit,
        catalogue.is_stock

    from covered_periods
    cross join catalogue
    where
        case
            when not catalogue.is_stock then covered_periods.is_fully_covered
            {%- for indicator_id, months in lookback_months.items() %}
                when catalogue.indicator_id = '{{ indicator_id }}'
                    then cast(covered_periods.period_end - interval {{ months }} month as date) + 1
                        >= covered_periods.coverage_start
            {%- endfor %}
            else true
        end

),

stock_counts as (

    select
        la_code,
        as_at_date,
        count(*) as cla,
        count_if(placements_in_last_12_months >= 3) as cla_3plus_placements,
        count_if(is_long_term_eligible) as long_term_eligible,
        count_if(is_long_term_stable) as long_term_stable,
        count_if(placement_distance_miles > 20) as placed_over_20_miles,
        count(placement_distance_miles) as distance_known,
        count_if(placed_outside_la) as placed_outside_la,
        count(placed_outside_la) as location_known,
        {%- for group in placement_type_groups() %}
            count_if(placement_type_group = '{{ group }}') as type_{{ group }},
        {%- endfor %}
    {%- for group in provider_groups() %}
        count_if(provider_group = '{{ group }}') as provider_{{ group }}{{ "," if not loop.last }}
    {%- endfor %}

    from snapshots
    group by la_code, as_at_date

),

stock_measures as (

    {%- for indicator_id, numerator, denominator in stock_measures %}
        select
            la_code,
            as_at_date,
            '{{ indicator_id }}' as indicator_id,
            cast({{ numerator }} as double) as numerator,
            cast({{ denominator if denominator else 'null' }} as double) as denominator
        from stock_counts
        {{ "union all" if not loop.last }}
    {%- endfor %}

),

flow_measures as (

    select
        covered_periods.la_code,
        covered_periods.period_grain,
        covered_periods.period_start,
        'cla_starts' as indicator_id,
        cast(count(*) as double) as numerator

    from covered_periods
    inner join care_periods
        on covered_periods.la_code = care_periods.la_code
            and care_periods.care_period_start between covered_periods.period_start and covered_periods.period_end
    group by covered_periods.la_code, covered_periods.period_grain, covered_periods.period_start

    union all

    select
        covered_periods.la_code,
        covered_periods.period_grain,
        covered_periods.period_start,
        'cla_ceased' as indicator_id,
        cast(count(*) as double) as numerator

    from covered_periods
    inner join care_periods
        on covered_periods.la_code = care_periods.la_code
            and care_periods.care_period_end between covered_periods.period_start and covered_periods.period_end
    group by covered_periods.la_code, covered_periods.period_grain, covered_periods.period_start

),

population_for_period as (

    -- for a period ending in the year to 31 March Y: the mid-year estimate of Y - 1, else the latest earlier
    select
        scaffold.la_code,
        scaffold.period_grain,
        scaffold.period_start,
        arg_max(population.population, population.estimate_year) as population

    from scaffold
    inner join population
        on scaffold.la_code = population.la_code
            and population.estimate_year
            <= cast(left(scaffold.financial_year, 4) as integer)
    where scaffold.unit = 'rate_per_10k'
    group by scaffold.la_code, scaffold.period_grain, scaffold.period_start

),

combined as (

    select
        scaffold.la_code,
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
            when 'rate_per_10k' then cast(population_for_period.population as double)
            else coalesce(stock_measures.denominator, 0)
        end as denominator

    from scaffold
    left join stock_measures
        on scaffold.is_stock
            and scaffold.la_code = stock_measures.la_code
            and scaffold.period_end = stock_measures.as_at_date
            and scaffold.indicator_id = stock_measures.indicator_id
    left join flow_measures
        on not scaffold.is_stock
            and scaffold.la_code = flow_measures.la_code
            and scaffold.period_grain = flow_measures.period_grain
            and scaffold.period_start = flow_measures.period_start
            and scaffold.indicator_id = flow_measures.indicator_id
    left join population_for_period
        on scaffold.la_code = population_for_period.la_code
            and scaffold.period_grain = population_for_period.period_grain
            and scaffold.period_start = population_for_period.period_start

),

final as (

    select
        la_code,
        indicator_id,
        period_grain,
        period_start,
        period_end,
        period_label,
        financial_year,
        numerator,
        denominator,
        case unit
            when 'count' then numerator
            when 'percent' then case when denominator > 0 then 100.0 * numerator / denominator end
            when 'rate_per_10k' then case when denominator > 0 then 10000.0 * numerator / denominator end
        end as value

    from combined

)

select * from final
