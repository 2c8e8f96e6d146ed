-- DfE: placement stability (short term: 3+ placements; long term: same carer for 2 years), every LA,
-- region and England. time_period is the year ending 31 March.
with

source as (

    select * from {{ read_dfe_csv('la_cla_placement_stability.csv') }}

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
        trim(cla_group) as cla_group,
        trim(placement_stability) as placement_stability,
        {{ dfe_number('children_count') }} as children_count,
        {{ dfe_suppression_reason('children_count') }} as children_count_suppressed,
        {{ dfe_number('children_percent') }} as children_percent,
        {{ dfe_suppression_reason('children_percent') }} as children_percent_suppressed

    from source

)

select * from renamed
