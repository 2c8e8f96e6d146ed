-- CIN census CIN details (one per referral, i.e. per CIN episode) as loaded: one row per referral per return.
with

source as (

    select * from {{ source('raw', 'cin_census_referrals') }}

),

renamed as (

    select
        _load_id as load_id,
        _source_row as source_row,
        la_code,
        cast(collection_year as integer) as collection_year,
        cast(child_id as varchar) as child_id,
        cast(referral_date as date) as referral_date,
        upper(nullif(trim(referral_source), '')) as referral_source,
        upper(nullif(trim(primary_need_code), '')) as primary_need_code,
        cast(cin_closure_date as date) as cin_closure_date,
        upper(nullif(trim(closure_reason), '')) as closure_reason,
        cast(referral_nfa as boolean) as is_nfa

    from source

)

select * from renamed
