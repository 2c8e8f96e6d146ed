-- Annex A List 6 (children in need) as loaded: one row per CIN episode per snapshot workbook.
with

source as (

    select * from {{ source('raw', 'annex_a_children_in_need') }}

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
        cast(cin_start_date as date) as cin_start_date,
        upper(trim(primary_need_code)) as primary_need_code,
        cast(last_seen_date as date) as last_seen_date,
        cast(cin_closure_date as date) as cin_closure_date,
        nullif(trim(closure_reason), '') as closure_reason,
        nullif(trim(case_status), '') as case_status,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        worker_id

    from source

)

select * from renamed
