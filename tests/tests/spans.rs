//! The `osirix.call` span of each call, with its cache outcome and latency. In a test binary of its own:
//! tracing's callsite interest is process-wide, and other tests running beside this one in the same process
//! (with no subscriber) could have the span's callsite disabled between its two calls.

use tests::{Fixture, first_series};

/// Records the fields of every `osirix.call` span.
mod spans {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing_subscriber::layer::{Context, Layer};
    use tracing_subscriber::registry::LookupSpan;

    pub(crate) type Fields = BTreeMap<String, String>;

    #[derive(Clone, Default)]
    pub(crate) struct Recorder(pub(crate) Arc<Mutex<Vec<(u64, Fields)>>>);

    struct Visitor<'a>(&'a mut Fields);

    impl Visit for Visitor<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.insert(
                field.name().to_owned(),
                format!("{value:?}").trim_matches('"').to_owned(),
            );
        }
    }

    impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
            if attrs.metadata().name() == "osirix.call" {
                let mut fields = Fields::new();
                attrs.record(&mut Visitor(&mut fields));
                self.0.lock().unwrap().push((id.into_u64(), fields));
            }
        }

        fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
            let mut spans = self.0.lock().unwrap();
            // Span ids are reused once a span closes: the newest span with this id is the one recorded.
            if let Some((_, fields)) = spans
                .iter_mut()
                .rev()
                .find(|(span, _)| *span == id.into_u64())
            {
                values.record(&mut Visitor(fields));
            }
        }
    }
}

#[tokio::test]
async fn each_call_is_one_span_with_its_cache_outcome_and_latency() {
    use tracing_subscriber::layer::{Layer, SubscriberExt};

    let fx = Fixture::demo().await;
    let series = first_series(&fx.client).await;
    let recorder = spans::Recorder::default();
    let subscriber = tracing_subscriber::registry().with(
        recorder
            .clone()
            .with_filter(tracing_subscriber::filter::LevelFilter::DEBUG),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    // Callsites seen by other tests (with no subscriber) cached "never"; recompute for this one.
    tracing::callsite::rebuild_interest_cache();

    series.modality().await.expect("miss");
    series.modality().await.expect("hit");

    let spans = recorder.0.lock().unwrap().clone();
    let outcomes: Vec<_> = spans
        .iter()
        .map(|(_, f)| f.get("cache").cloned().unwrap_or_default())
        .collect();
    assert_eq!(outcomes, ["miss", "hit"], "{spans:?}");
    for (_, fields) in &spans {
        assert_eq!(
            fields.get("rpc").map(String::as_str),
            Some("DicomSeriesModality")
        );
        assert_eq!(fields.get("uid").map(String::as_str), Some(series.uid()));
        assert!(fields.contains_key("latency_us"), "{fields:?}");
    }
}
