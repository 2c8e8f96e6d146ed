-- What is due to whom: one row per authority with a loaded QA activity log, task, audience, frequency and due
-- period. Every task x audience x frequency of the register (seed qa_task_audiences) with a scheduled frequency
-- (monthly, bi_monthly, quarterly, three_times_yearly, twice_yearly (April-September, October-March), annually
-- (financial years); int_qa_due_periods) is expanded into its periods from the one holding the start of the
-- log's first period (the log load's period_start) to the one holding the log's as-at date (its period_end).
-- as_required, per_meeting and weekly tasks have no schedule.
-- due_date: the period's last day plus dbt var qa_report_due_days (default 30: a report on March is due by 30
-- April). A delivery in the log matches the task, the audience (normalised to a qa_roles id) and the due period:
-- the period it covers starts and ends within a week of the due period's start and end (so neither a quarterly
-- review nor a monthly report stands in for the other, as for the Chief Executive's 1.6, monthly and quarterly);
-- if several match, the first delivered decides on-time or late.
-- status: delivered (on or before the due date), late (after it), overdue (not delivered, due date before the
-- as-at date), due (not delivered, not yet due).
with

logs as (

    select
        la_code,
        min(period_start) as log_start,
        max(period_end) as as_at_date

    from {{ ref('stg_meta__loads') }}
    where dataset = 'qa_activity'
        and status = 'loaded'
        and la_code is not null
        and period_end is not null
    group by la_code

),

task_audiences as (

    select distinct
        task_number,
        audience_id,
        frequency

    from {{ ref('qa_task_audiences') }}

),

due_periods as (

    select * from {{ ref('int_qa_due_periods') }}

),

deliveries as (

    select
        la_code,
        task_number,
        audience_id,
        period_start,
        period_end,
        delivered_date,
        reference,
        load_id,
        source_row

    from {{ ref('stg_qa__activity_log') }}
    where task_number is not null
        and delivered_date is not null

),

scheduled as (

    select
        logs.la_code,
        task_audiences.task_number,
        task_audiences.audience_id,
        task_audiences.frequency,
        due_periods.period_start,
        due_periods.period_end,
        due_periods.period_label,
        cast(due_periods.period_end + to_days({{ var('qa_report_due_days', 30) }}) as date) as due_date,
        logs.as_at_date

    from logs
    cross join task_audiences
    inner join due_periods
        on task_audiences.frequency = due_periods.frequency
            and due_periods.period_end >= coalesce(logs.log_start, logs.as_at_date)
            and due_periods.period_start <= logs.as_at_date

),

matched as (

    select
        scheduled.*,
        deliveries.delivered_date,
        deliveries.reference

    from scheduled
    left join deliveries
        on scheduled.la_code = deliveries.la_code
            and scheduled.task_number = deliveries.task_number
            and scheduled.audience_id = deliveries.audience_id
            -- the report covers the due period: it starts and ends within a week of the period's start and end
            -- (a monthly report does not cover a quarter, nor a quarterly review a month)
            and deliveries.period_start between scheduled.period_start and scheduled.period_start + interval 6 day
            and deliveries.period_end between scheduled.period_end - interval 6 day and scheduled.period_end
    qualify row_number() over (
            partition by scheduled.la_code, scheduled.task_number, scheduled.audience_id, scheduled.frequency,
                scheduled.period_start
            -- the first delivery decides whether it was on time (a later re-issue does not make it late)
            order by deliveries.delivered_date asc nulls last, deliveries.load_id desc, deliveries.source_row desc
        ) = 1

),

final as (

    select
        la_code,
        task_number,
        audience_id,
        frequency,
        period_start,
        period_end,
        period_label,
        due_date,
        delivered_date,
        reference,
        case
            when delivered_date is not null and delivered_date <= due_date then 'delivered'
            when delivered_date is not null then 'late'
            when due_date < as_at_date then 'overdue'
            else 'due'
        end as status,
        as_at_date

    from matched

)

select * from final
