-- DfE children in need, table D5: child protection plans open on 31 March by how long they had been open,
-- every LA, region and England. time_period is the year ending 31 March.
with

source as (

    select * from {{ read_dfe_csv('d5_cpps_at31march_by_duration_2013_to_2025.csv') }}

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
        {{ dfe_number('CPP_At31') }} as cpp_at_31_march,
        {{ dfe_suppression_reason('CPP_At31') }} as cpp_at_31_march_suppressed,
        {{ dfe_number('"2_years_or_more"') }} as two_years_or_more_count,
        {{ dfe_number('"2_years_or_more_percent"') }} as two_years_or_more_percent,
        {{ dfe_suppression_reason('"2_years_or_more_percent"') }} as two_years_or_more_percent_suppressed

    from source

)

select * from renamed
