-- The indicator catalogue the app reads (seeded from seeds/indicator_catalogue.csv).
with

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

final as (

    select
        cast(indicator_id as varchar) as indicator_id,
        cast(name as varchar) as name,
        cast(short_name as varchar) as short_name,
        cast(domain as varchar) as domain,
        cast(indicator_group as varchar) as indicator_group,
        cast(breakdown_label as varchar) as breakdown_label,
        cast(definition as varchar) as definition,
        cast(numerator_definition as varchar) as numerator_definition,
        cast(denominator_definition as varchar) as denominator_definition,
        cast(unit as varchar) as unit,
        cast(polarity as varchar) as polarity,
        cast(target as double) as target,
        cast(amber_threshold as double) as amber_threshold,
        cast(definition_source as varchar) as definition_source,
        cast(qa_task_ids as varchar) as qa_task_ids,
        cast(audiences as varchar) as audiences,
        cast(grains as varchar) as grains,
        cast(benchmark_series as varchar) as benchmark_series,
        cast(is_stock as boolean) as is_stock,
        cast(sort_order as integer) as sort_order

    from catalogue

)

select * from final
