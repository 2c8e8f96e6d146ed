-- Annex A List 4 (assessments) as loaded: one row per assessment per snapshot workbook. No referral date.
with

source as (

    select * from {{ source('raw', 'annex_a_assessments') }}

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
        cast(assessment_start_date as date) as assessment_start_date,
        cast(child_seen as boolean) as is_child_seen,
        cast(assessment_authorised_date as date) as assessment_authorised_date,
        nullif(trim(assessment_outcome), '') as assessment_outcome,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        worker_id

    from source

)

select * from renamed
