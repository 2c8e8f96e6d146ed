-- The indicator catalogue the app reads (seeded from seeds/indicator_catalogue.csv). Target and amber threshold:
-- the general row of seeds/indicator_targets.csv (org_id blank) when there is one, else the catalogue's; org-unit
-- rows of that seed apply to indicator_values only.
with

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

general_targets as (

    select
        indicator_id,
        cast(target as double) as target,
        cast(amber_threshold as double) as amber_threshold

    from {{ ref('indicator_targets') }}
    where nullif(trim(org_id), '') is null

),

final as (

    select
        cast(catalogue.indicator_id as varchar) as indicator_id,
        cast(catalogue.name as varchar) as name,
        cast(catalogue.short_name as varchar) as short_name,
        cast(catalogue.domain as varchar) as domain,
        cast(catalogue.indicator_group as varchar) as indicator_group,
        cast(catalogue.breakdown_label as varchar) as breakdown_label,
        cast(catalogue.definition as varchar) as definition,
        cast(catalogue.numerator_definition as varchar) as numerator_definition,
        cast(catalogue.denominator_definition as varchar) as denominator_definition,
        cast(catalogue.unit as varchar) as unit,
        cast(catalogue.polarity as varchar) as polarity,
        case
            when general_targets.indicator_id is not null then general_targets.target
            else cast(catalogue.target as double)
        end as target,
        case
            when general_targets.indicator_id is not null then general_targets.amber_threshold
            else cast(catalogue.amber_threshold as double)
        end as amber_threshold,
        cast(catalogue.definition_source as varchar) as definition_source,
        cast(catalogue.qa_task_ids as varchar) as qa_task_ids,
        cast(catalogue.audiences as varchar) as audiences,
        cast(catalogue.grains as varchar) as grains,
        cast(catalogue.benchmark_series as varchar) as benchmark_series,
        cast(catalogue.is_stock as boolean) as is_stock,
        cast(catalogue.sort_order as integer) as sort_order

    from catalogue
    left join general_targets
        on catalogue.indicator_id = general_targets.indicator_id

)

select * from final
