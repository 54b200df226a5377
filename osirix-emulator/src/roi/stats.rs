//! DCMPixComputeROI's statistics of an ROI's pixel values.

/// The seven numbers of a `DCMPixComputeROIResponse`, computed in double and sent as float32.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Statistics {
    /// Σ v.
    pub(crate) total: f32,
    /// Σ v / N.
    pub(crate) mean: f32,
    /// The smallest value.
    pub(crate) min: f32,
    /// The largest value.
    pub(crate) max: f32,
    /// The **population** standard deviation, √(Σ(v − mean)² / N): the tested OsiriX divides by N
    /// (Horos by N − 1).
    pub(crate) std_dev: f32,
    /// m3 / m2^(3/2), with the moments m_k = Σ(v − mean)^k / (N − 1).
    pub(crate) skewness: f32,
    /// The excess kurtosis m4 / m2² − 3, with the same N − 1 moments.
    pub(crate) kurtosis: f32,
}

impl Statistics {
    /// The statistics of `values`, duplicates included. Every field is 0 for no values; skewness and
    /// kurtosis are 0 for fewer than 2. Values that are all equal have m2 = 0, and their skewness and
    /// kurtosis are the NaN of 0/0, as OsiriX's moment formulas give (no guard is documented).
    pub(crate) fn of(values: &[f32]) -> Statistics {
        let Some((&first, rest)) = values.split_first() else {
            return Statistics::default();
        };
        let n = values.len() as f64;
        let total: f64 = values.iter().map(|&v| f64::from(v)).sum();
        let mean = total / n;
        let (mut min, mut max) = (first, first);
        for &v in rest {
            if v < min {
                min = v;
            }
            if v > max {
                max = v;
            }
        }
        let central = |power: i32| -> f64 {
            values
                .iter()
                .map(|&v| (f64::from(v) - mean).powi(power))
                .sum()
        };
        let squares = central(2);
        let std_dev = (squares / n).sqrt();
        let (skewness, kurtosis) = if values.len() < 2 {
            (0.0, 0.0)
        } else {
            let m2 = squares / (n - 1.0);
            let m3 = central(3) / (n - 1.0);
            let m4 = central(4) / (n - 1.0);
            (m3 / m2.powf(1.5), m4 / (m2 * m2) - 3.0)
        };
        Statistics {
            total: total as f32,
            mean: mean as f32,
            min,
            max,
            std_dev: std_dev as f32,
            skewness: skewness as f32,
            kurtosis: kurtosis as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f64) -> bool {
        (f64::from(a) - b).abs() < 1e-6
    }

    #[test]
    fn no_values_give_zeros() {
        assert_eq!(Statistics::of(&[]), Statistics::default());
    }

    #[test]
    fn one_value() {
        let s = Statistics::of(&[7.5]);
        assert_eq!(
            s,
            Statistics {
                total: 7.5,
                mean: 7.5,
                min: 7.5,
                max: 7.5,
                std_dev: 0.0,
                skewness: 0.0,
                kurtosis: 0.0
            }
        );
    }

    #[test]
    fn a_symmetric_set_uses_the_population_deviation() {
        // Mean 2.5; Σd² = 5, so population σ = √1.25 and sample σ = √(5/3) differ.
        let s = Statistics::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((s.total, s.mean, s.min, s.max), (10.0, 2.5, 1.0, 4.0));
        assert!(close(s.std_dev, 1.25_f64.sqrt()));
        assert!(!close(s.std_dev, (5.0_f64 / 3.0).sqrt()));
        assert!(close(s.skewness, 0.0));
        // m2 = 5/3, m4 = 10.25/3: 10.25/3 / (25/9) − 3 = −1.77.
        assert!(close(s.kurtosis, -1.77));
    }

    #[test]
    fn a_skewed_set() {
        // Mean 0.25; d = −0.25 ×3, 0.75: Σd² = 0.75, Σd³ = 0.375, Σd⁴ = 0.328125.
        let s = Statistics::of(&[0.0, 0.0, 1.0, 0.0]);
        assert!(close(s.std_dev, 0.1875_f64.sqrt()));
        // m2 = 0.25, m3 = 0.125: 0.125 / 0.125 = 1.
        assert!(close(s.skewness, 1.0));
        // m4 = 0.109375: 0.109375 / 0.0625 − 3 = −1.25.
        assert!(close(s.kurtosis, -1.25));
    }

    #[test]
    fn duplicates_count() {
        let once = Statistics::of(&[0.0, 2.0]);
        let twice = Statistics::of(&[0.0, 2.0, 2.0]);
        assert_eq!(once.mean, 1.0);
        assert!(close(twice.mean, 4.0 / 3.0));
    }

    #[test]
    fn equal_values_have_no_shape() {
        let s = Statistics::of(&[3.0; 5]);
        assert_eq!(s.std_dev, 0.0);
        assert!(s.skewness.is_nan() && s.kurtosis.is_nan());
    }
}
