-- DfE children in need, table C1: referrals, re-referrals within 12 months and referrals ending in no further
-- action, every LA, region and England. time_period is the year ending 31 March.
with

source as (

    select * from {{ read_dfe_csv('c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv') }}

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
        {{ dfe_number('referral_count') }} as referral_count,
        {{ dfe_number('rereferral_count') }} as rereferral_count,
        {{ dfe_number('rereferral_percent') }} as rereferral_percent,
        {{ dfe_suppression_reason('rereferral_percent') }} as rereferral_percent_suppressed,
        {{ dfe_number('no_further_action_count') }} as no_further_action_count,
        {{ dfe_number('no_further_action_percent') }} as no_further_action_percent,
        {{ dfe_suppression_reason('no_further_action_percent') }} as no_further_action_percent_suppressed

    from source

)

select * from renamed
