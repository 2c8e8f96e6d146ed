-- CIN census section 47 enquiries as loaded: one row per enquiry per return.
with

source as (

    select * from {{ source('raw', 'cin_census_section47') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(referral_date as date) as referral_date,
        cast(s47_start_date as date) as s47_start_date,
        cast(icpc_target_date as date) as icpc_target_date,
        cast(icpc_date as date) as icpc_date,
        cast(icpc_not_required as boolean) as is_icpc_not_required

    from source

)

select * from renamed
