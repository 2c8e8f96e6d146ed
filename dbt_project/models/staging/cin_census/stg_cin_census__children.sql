-- CIN census children (identifiers and characteristics) as loaded: one row per child per return.
with

source as (

    select * from {{ source('raw', 'cin_census_children') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        upper(trim(sex)) as sex,
        cast(dob as date) as dob,
        upper(trim(ethnicity)) as ethnicity,
        nullif(trim(disabilities), '') as disabilities

    from source

)

select * from renamed
