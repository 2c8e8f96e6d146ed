-- Annex A List 7 (child protection plans) as loaded: one row per plan per snapshot workbook. The last
-- statutory visit date is as at the snapshot's date.
with

source as (

    select * from {{ source('raw', 'annex_a_cp_plans') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        trim(sex) as sex,
        upper(trim(ethnicity)) as ethnicity,
        cast(dob as date) as dob,
        cast(disability as boolean) as has_disability,
        cast(cp_plan_start_date as date) as cp_plan_start_date,
        nullif(trim(initial_category), '') as initial_category,
        nullif(trim(latest_category), '') as latest_category,
        cast(last_visit_date as date) as last_visit_date,
        cast(seen_alone as boolean) as is_seen_alone,
        cast(latest_review_date as date) as latest_review_date,
        cast(cp_plan_end_date as date) as cp_plan_end_date,
        cast(epo_last_6_months as boolean) as had_epo_last_6_months,
        cast(previous_cp_plans as integer) as previous_cp_plans,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        worker_id

    from source

)

select * from renamed
