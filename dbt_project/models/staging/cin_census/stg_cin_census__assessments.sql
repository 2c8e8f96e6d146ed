-- CIN census assessments as loaded: one row per assessment per return, with the referral it belongs to.
with

source as (

    select * from {{ source('raw', 'cin_census_assessments') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(referral_date as date) as referral_date,
        cast(assessment_start_date as date) as assessment_start_date,
        cast(assessment_review_date as date) as assessment_review_date,
        cast(assessment_authorised_date as date) as assessment_authorised_date,
        nullif(trim(assessment_factors), '') as assessment_factors

    from source

)

select * from renamed
