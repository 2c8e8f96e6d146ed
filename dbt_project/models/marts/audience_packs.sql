-- Each audience's pack: audience_indicators joined to indicator_values on indicator and grain, so a page asks for
-- an audience, a grain and an org unit and gets its indicators' values with their names, units, domains and order
-- (docs/contracts.md, issue 6). A view, not a table: it would repeat indicator_values once per audience, and the
-- pages filter it by audience, grain and org unit, which both tables answer quickly. An indicator an audience is
-- given but with no value for the grain has no row here (its list is in audience_indicators).
{{ config(materialized='view') }}

with

audience_indicators as (

    select * from {{ ref('audience_indicators') }}

),

indicator_values as (

    select * from {{ ref('indicator_values') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

final as (

    select
        indicator_values.*,
        audience_indicators.audience_id,
        audience_indicators.audience_name,
        audience_indicators.domain,
        audience_indicators.domain_name,
        audience_indicators.domain_order,
        audience_indicators.assigned_by,
        audience_indicators.qa_task_ids,
        indicators.name,
        indicators.short_name,
        indicators.unit,
        indicators.polarity,
        indicators.benchmark_series,
        audience_indicators.sort_order

    from audience_indicators
    inner join indicator_values
        on audience_indicators.indicator_id = indicator_values.indicator_id
            and audience_indicators.period_grain = indicator_values.period_grain
    inner join indicators
        on audience_indicators.indicator_id = indicators.indicator_id

)

select * from final
