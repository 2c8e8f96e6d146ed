-- CIN census child protection plans as loaded: one row per plan per return.
with

source as (

    select * from {{ source('raw', 'cin_census_cp_plans') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(referral_date as date) as referral_date,
        cast(cp_plan_start_date as date) as cp_plan_start_date,
        cast(cp_plan_end_date as date) as cp_plan_end_date,
        upper(nullif(trim(initial_category), '')) as initial_category,
        upper(nullif(trim(latest_category), '')) as latest_category,
        cast(previous_cp_plans as integer) as previous_cp_plans

    from source

)

select * from renamed
