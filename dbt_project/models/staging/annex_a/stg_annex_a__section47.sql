-- Annex A List 5 (section 47 enquiries and ICPCs) as loaded: one row per enquiry per snapshot workbook.
with

source as (

    select * from {{ source('raw', 'annex_a_section47') }}

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
        cast(strategy_discussion_date as date) as strategy_discussion_date,
        cast(icpc_not_required as boolean) as is_icpc_not_required,
        cast(icpc_date as date) as icpc_date,
        cast(icpc_resulted_in_plan as boolean) as is_icpc_resulted_in_plan,
        cast(s47_last_12_months as integer) as s47_last_12_months,
        cast(icpcs_last_12_months as integer) as icpcs_last_12_months,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        worker_id

    from source

)

select * from renamed
