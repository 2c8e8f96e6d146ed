-- DfE children in need, table D3: child protection plans starting in the year that were a second or
-- subsequent plan (ever), every LA, region and England. time_period is the year ending 31 March.
with

source as (

    select * from {{ read_dfe_csv('d3_cpps_subsequent_plan_2013_to_2025.csv') }}

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
        {{ dfe_number('CPP_start') }} as cpp_start_count,
        {{ dfe_number('CPP_subsequent') }} as cpp_subsequent_count,
        {{ dfe_number('CPP_subsequent_percent') }} as cpp_subsequent_percent,
        {{ dfe_suppression_reason('CPP_subsequent_percent') }} as cpp_subsequent_percent_suppressed

    from source

)

select * from renamed
