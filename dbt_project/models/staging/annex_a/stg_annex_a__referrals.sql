-- Annex A List 3 (referrals) as loaded: one row per referral per snapshot workbook.
with

source as (

    select * from {{ source('raw', 'annex_a_referrals') }}

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
        cast(referral_date as date) as referral_date,
        nullif(trim(referral_source), '') as referral_source,
        cast(referral_nfa as boolean) as is_nfa,
        cast(referrals_last_12_months as integer) as referrals_last_12_months,
        {{ team_display_name('team_name') }} as team_name,
        {{ team_key('team_name') }} as team_key,
        worker_id

    from source

)

select * from renamed
