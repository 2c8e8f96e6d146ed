-- One row per episode (la_code, child_id, decom), from the latest return it appears in, decoded with the
-- SSDA903 code lists valid for that return's collection year. An episode appears in every return whose year
-- it was open in; an earlier return may have DEC blank where a later one has it filled, so the latest wins.
with

episodes as (

    select * from {{ ref('stg_ssda903__episodes') }}

),

latest_return as (

    select *
    from episodes
    where child_id is not null
        and decom is not null
    qualify row_number() over (
            partition by la_code, child_id, decom
            order by collection_year desc, load_id desc, source_row desc
        ) = 1

),

placement_codes as ({{ code_list('ssda903_placement_codes', 'place') }}
),

provider_codes as ({{ code_list('ssda903_provider_codes', 'place_provider') }}
),

legal_status_codes as ({{ code_list('ssda903_legal_status_codes', 'ls') }}
),

rne_codes as ({{ code_list('ssda903_rne_codes', 'rne') }}
),

rec_codes as ({{ code_list('ssda903_rec_codes', 'rec') }}
),

decoded as (

    select
        latest_return.la_code,
        latest_return.child_id,
        latest_return.decom,
        latest_return.dec,
        latest_return.rne,
        latest_return.ls,
        latest_return.cin,
        latest_return.place,
        latest_return.place_provider,
        latest_return.rec,
        latest_return.reason_place_change,
        latest_return.home_postcode_district,
        latest_return.placement_postcode_district,
        latest_return.placement_distance_miles,
        latest_return.placed_outside_la,
        latest_return.urn,
        latest_return.collection_year,
        latest_return.load_id,
        latest_return.source_row,
        case
            when {{ decoded('place', 'placement_type_group') }} = 'foster_other_carer'
                then coalesce({{ decoded('provider', 'foster_type_group') }}, 'other')
            else coalesce({{ decoded('place', 'placement_type_group') }}, 'other')
        end as placement_type_group,
        {{ decoded('provider', 'provider_group') }} as provider_group,
        {{ decoded('legal', 'legal_status_group') }} as legal_status_group,
        coalesce({{ decoded('legal', 'is_short_break') }}, false) as is_short_break,
        coalesce({{ decoded('rne', 'starts_care_period') }}, false) as rne_starts_care_period,
        coalesce({{ decoded('rne', 'starts_new_placement') }}, false) as rne_starts_new_placement,
        coalesce({{ decoded('rne', 'changes_carer') }}, false) as rne_changes_carer,
        {{ decoded('rec', 'reason_group') }} as reason_ceased_group,
        case
            when latest_return.rec is null then false
            else coalesce({{ decoded('rec', 'ends_care_period') }}, latest_return.rec <> 'X1')
        end as rec_ends_care_period

    from latest_return
    {{ join_code_list('placement_codes', 'place', 'place', 'latest_return.place', 'latest_return.collection_year') }}
    {{ join_code_list(
        'provider_codes', 'provider', 'place_provider', 'latest_return.place_provider', 'latest_return.collection_year'
    ) }}
    {{ join_code_list('legal_status_codes', 'legal', 'ls', 'latest_return.ls', 'latest_return.collection_year') }}
    {{ join_code_list('rne_codes', 'rne', 'rne', 'latest_return.rne', 'latest_return.collection_year') }}
    {{ join_code_list('rec_codes', 'rec', 'rec', 'latest_return.rec', 'latest_return.collection_year') }}

)

select * from decoded
