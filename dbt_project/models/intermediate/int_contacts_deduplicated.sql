-- One row per contact (Annex A List 1 only; the CIN census has no contacts). The same contact appears in every
-- monthly snapshot whose twelve months include it: per (la_code, child_id, contact_date) the rows of the latest
-- snapshot holding that day are kept (the greatest meta.loads.period_end), so two contacts about a child on one
-- day from different sources stay two, and a corrected source in a later snapshot replaces the earlier one.
with

contacts as (

    select * from {{ ref('stg_annex_a__contacts') }}

),

snapshots as (

    select
        load_id,
        period_end as as_at_date

    from {{ ref('stg_meta__loads') }}
    where dataset = 'annex_a'

),

latest_snapshot as (

    select
        contacts.la_code,
        contacts.child_id,
        contacts.contact_date,
        contacts.contact_source,
        snapshots.as_at_date,
        contacts.load_id,
        contacts.source_row

    from contacts
    inner join snapshots
        on contacts.load_id = snapshots.load_id
    where contacts.child_id is not null
        and contacts.contact_date is not null
    qualify dense_rank() over (
            partition by contacts.la_code, contacts.child_id, contacts.contact_date
            order by snapshots.as_at_date desc, contacts.load_id desc
        ) = 1

),

final as (

    select
        la_code || ':' || child_id || ':' || strftime(contact_date, '%Y-%m-%d') || ':' || source_row as contact_id,
        *

    from latest_snapshot

)

select * from final
