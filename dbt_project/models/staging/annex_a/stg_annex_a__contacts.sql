-- Annex A List 1 (contacts) as loaded: one row per contact per snapshot workbook.
with

source as (

    select * from {{ source('raw', 'annex_a_contacts') }}

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
        cast(contact_date as date) as contact_date,
        nullif(trim(contact_source), '') as contact_source

    from source

)

select * from renamed
