-- DfE: children looked after on 31 March, starting and ceasing, number and rate per 10,000 children,
-- every LA, region and England. time_period is the year ending 31 March.
with

source as (

    select * from {{ read_dfe_csv('cla_number_and_rate_per_10k_children.csv') }}

),

renamed as (

    select
        cast(time_period as integer) as time_period,
        case geographic_level
            when 'National' then 'national'
            when 'Regional' then 'regional'
            when 'Local authority' then 'la'
        end as geographic_level,
        nullif(trim(region_code), '') as region_code,
        nullif(trim(region_name), '') as region_name,
        nullif(trim(old_la_code), '') as la_code,
        nullif(trim(new_la_code), '') as la_code_ons,
        nullif(trim(la_name), '') as la_name,
        trim(population_type) as population_type,
        {{ dfe_number('population_estimate') }} as population_estimate,
        {{ dfe_number('children_count') }} as children_count,
        {{ dfe_suppression_reason('children_count') }} as children_count_suppressed,
        {{ dfe_number('rate_per_10000') }} as rate_per_10000,
        {{ dfe_suppression_reason('rate_per_10000') }} as rate_per_10000_suppressed

    from source

)

select * from renamed
