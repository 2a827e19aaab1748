//! How a job ended, when the queue no longer says: a CUPS configured to
//! keep no job history (`PreserveJobHistory No`, as booths should) deletes
//! a job the moment it ends, and a poll of the job then finds nothing. A
//! printer subscription (RFC 3995, pulled with Get-Notifications, RFC 3996)
//! made before the job is submitted carries the job's last state as an
//! event, which outlives the job.

use std::collections::BTreeMap;

use ipp::prelude::*;

/// Create-Printer-Subscriptions (RFC 3995).
pub const CREATE_PRINTER_SUBSCRIPTIONS: i16 = 0x0016;
/// Get-Notifications (RFC 3996).
pub const GET_NOTIFICATIONS: i16 = 0x001C;
/// Cancel-Subscription (RFC 3995).
pub const CANCEL_SUBSCRIPTION: i16 = 0x001B;
/// Seconds a subscription lives if it is never canceled (a booth killed
/// mid-print leaves one behind; CUPS drops it after this).
pub const LEASE_S: i32 = 600;

/// What a job-completed event said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobEnd {
    /// job-state: 7 canceled, 8 aborted, 9 completed.
    pub state: i32,
    /// job-state-reasons.
    pub reasons: Vec<String>,
    /// printer-state-reasons at that moment.
    pub printer_reasons: Vec<String>,
}

/// A request with an operation the `ipp` crate has no name for.
pub fn request(op: i16, uri: &Uri) -> Result<IppRequestResponse, String> {
    // Any named operation, then the real code in the header.
    let mut req = IppRequestResponse::new(
        IppVersion::v2_0(),
        Operation::GetPrinterAttributes,
        Some(uri.clone()),
    )
    .map_err(|e| e.to_string())?;
    req.header_mut().operation_or_status = op;
    Ok(req)
}

fn attr(name: &str, value: IppValue) -> Result<IppAttribute, String> {
    IppAttribute::with_name(name, value).map_err(|e| e.to_string())
}

fn keyword(s: &str) -> Result<IppValue, String> {
    IppValue::new_keyword(s).map_err(|e| e.to_string())
}

/// A request `op` made by `user` (subscriptions are private to their
/// owner, as jobs are).
fn owned(op: i16, uri: &Uri, user: &str) -> Result<IppRequestResponse, String> {
    let mut req = request(op, uri)?;
    let name = user.try_into().map_err(|_| "user name")?;
    req.attributes_mut().add(
        DelimiterTag::OperationAttributes,
        attr("requesting-user-name", IppValue::NameWithoutLanguage(name))?,
    );
    Ok(req)
}

/// Create-Printer-Subscriptions for job ends, pulled (ippget), owned by
/// `user`.
pub fn subscribe(uri: &Uri, user: &str) -> Result<IppRequestResponse, String> {
    let mut req = owned(CREATE_PRINTER_SUBSCRIPTIONS, uri, user)?;
    let a = req.attributes_mut();
    a.add(
        DelimiterTag::SubscriptionAttributes,
        attr("notify-pull-method", keyword("ippget")?)?,
    );
    a.add(
        DelimiterTag::SubscriptionAttributes,
        attr("notify-events", keyword("job-completed")?)?,
    );
    a.add(
        DelimiterTag::SubscriptionAttributes,
        attr("notify-lease-duration", IppValue::Integer(LEASE_S))?,
    );
    Ok(req)
}

/// Get-Notifications for subscription `id`, all events kept.
pub fn get_notifications(uri: &Uri, user: &str, id: i32) -> Result<IppRequestResponse, String> {
    let mut req = owned(GET_NOTIFICATIONS, uri, user)?;
    let a = req.attributes_mut();
    a.add(
        DelimiterTag::OperationAttributes,
        attr("notify-subscription-ids", IppValue::Integer(id))?,
    );
    a.add(
        DelimiterTag::OperationAttributes,
        attr("notify-sequence-numbers", IppValue::Integer(1))?,
    );
    Ok(req)
}

/// Cancel-Subscription for `id`.
pub fn cancel_subscription(uri: &Uri, user: &str, id: i32) -> Result<IppRequestResponse, String> {
    let mut req = owned(CANCEL_SUBSCRIPTION, uri, user)?;
    let a = req.attributes_mut();
    a.add(
        DelimiterTag::OperationAttributes,
        attr("notify-subscription-id", IppValue::Integer(id))?,
    );
    Ok(req)
}

fn integer(v: &IppValue) -> Option<i32> {
    match v {
        IppValue::Integer(i) | IppValue::Enum(i) => Some(*i),
        _ => None,
    }
}

fn words(v: &IppValue) -> Vec<String> {
    let one = |v: &IppValue| match v {
        IppValue::Keyword(k) => k.as_str().to_string(),
        other => other.to_string(),
    };
    match v {
        IppValue::Array(vs) => vs.iter().map(one).collect(),
        v => vec![one(v)],
    }
}

/// The subscription id in a Create-Printer-Subscriptions answer.
pub fn subscription_id(resp: &IppRequestResponse) -> Option<i32> {
    resp.attributes()
        .groups_of(DelimiterTag::SubscriptionAttributes)
        .flat_map(|g| g.attributes().iter())
        .find(|a| a.name().as_str() == "notify-subscription-id")
        .and_then(|a| integer(a.value()))
}

/// The job-completed event of job `job` in a Get-Notifications answer.
pub fn job_end(resp: &IppRequestResponse, job: i32) -> Option<JobEnd> {
    resp.attributes()
        .groups_of(DelimiterTag::EventNotificationAttributes)
        .find_map(|g| {
            let by_name: BTreeMap<&str, &IppValue> = g
                .attributes()
                .iter()
                .map(|a| (a.name().as_str(), a.value()))
                .collect();
            (by_name.get("notify-job-id").and_then(|v| integer(v)) == Some(job)).then(|| JobEnd {
                state: by_name
                    .get("job-state")
                    .and_then(|v| integer(v))
                    .unwrap_or(0),
                reasons: by_name
                    .get("job-state-reasons")
                    .map(|v| words(v))
                    .unwrap_or_default(),
                printer_reasons: by_name
                    .get("printer-state-reasons")
                    .map(|v| words(v))
                    .unwrap_or_default(),
            })
        })
}
