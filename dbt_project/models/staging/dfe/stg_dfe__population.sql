-- ONS mid-year population estimates of children aged 0 to 17, every LA, region and England, as collected
-- with the DfE tables. time_period here is the mid-year of the estimate (the 2024 estimate is the
-- denominator for 31 March 2025).
with

source as (

    select * from {{ read_dfe_csv('ons_mid-year_population_estimates_2012_to_2024.csv') }}

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
        trim(age_group) as age_group,
        {{ dfe_number('population_estimate') }} as population_estimate,
        {{ dfe_suppression_reason('population_estimate') }} as population_estimate_suppressed

    from source

)

select * from renamed
