//! Numbers as people read them. Each kind of number the page shows has one way of being written,
//! wherever it appears (readouts, the bias table, the MCMC summary, the performance overlay), and
//! none is ever written with a sign on zero ("-0.000" reads as a small negative number that is not
//! there). Pure, so it is tested natively.

/// What a shown number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// ELBO and ln Z, in nats: three decimals, fixed, because the student reads them against each
    /// other (their gap is KL(q‖p)) and fixed decimals line up.
    Nats,
    /// A KL divergence: three significant digits (0.830, 0.0123, 12.3), at most four decimals,
    /// so a KL falling towards 0 stays readable instead of growing a tail of digits.
    Kl,
    /// PSIS k̂, against the thresholds 0.5 and 0.7: two decimals.
    KHat,
    /// R̂, against 1.01: three decimals.
    RHat,
    /// An effective sample size (MCMC or importance sampling): three significant digits, at most
    /// one decimal (3.2 of 8 draws; 7912 of 8000).
    Ess,
    /// A moment of q or of the draws (mean, sd, correlation): three decimals.
    Moment,
    /// A fraction such as an acceptance rate: two decimals.
    Fraction,
    /// A rate (steps or frames per second): a whole number.
    Rate,
    /// A duration in milliseconds: one decimal.
    Millis,
    /// A target's parameter as its slider sets it (b, w, ρ): two decimals.
    Parameter,
}

impl Quantity {
    /// How many decimals `x` gets.
    fn decimals(self, x: f64) -> usize {
        match self {
            Quantity::Nats | Quantity::RHat | Quantity::Moment => 3,
            Quantity::KHat | Quantity::Fraction | Quantity::Parameter => 2,
            Quantity::Rate => 0,
            Quantity::Millis => 1,
            Quantity::Kl => significant(x, 3, 4),
            Quantity::Ess => significant(x, 3, 1),
        }
    }
}

/// Decimals that give `x` `digits` significant digits, capped at `max`.
fn significant(x: f64, digits: i32, max: usize) -> usize {
    if x == 0.0 {
        return max.min(digits as usize - 1);
    }
    let magnitude = libm::floor(libm::log10(x.abs())) as i32;
    (digits - 1 - magnitude).clamp(0, max as i32) as usize
}

/// `x` written as its kind is written everywhere: a dash for a missing value, ±∞ spelled out, and
/// no sign on a zero.
pub fn show(kind: Quantity, x: f64) -> String {
    if x.is_nan() {
        return "—".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "−∞".into() };
    }
    let decimals = kind.decimals(x);
    let mut s = format!("{x:.decimals$}");
    // A value that rounds to zero (or was -0.0) has no sign.
    if s.starts_with('-') && !s.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        s.remove(0);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Quantity; 10] = [
        Quantity::Nats,
        Quantity::Kl,
        Quantity::KHat,
        Quantity::RHat,
        Quantity::Ess,
        Quantity::Moment,
        Quantity::Fraction,
        Quantity::Rate,
        Quantity::Millis,
        Quantity::Parameter,
    ];

    #[test]
    fn no_kind_shows_a_signed_zero() {
        for kind in ALL {
            for x in [-0.0, -1e-12, -0.0004, -0.004, -0.04, -0.4] {
                let s = show(kind, x);
                let zero = !s.bytes().any(|b| (b'1'..=b'9').contains(&b));
                assert!(!(zero && s.starts_with('-')), "{kind:?} shows {x} as {s}");
            }
        }
        // The page's own case: ln Z of a normalised target computed as -2e-16.
        assert_eq!(show(Quantity::Nats, -2e-16), "0.000");
        assert_eq!(show(Quantity::Nats, -0.0), "0.000");
        // A negative value that does not round to zero keeps its sign.
        assert_eq!(show(Quantity::Nats, -0.0006), "-0.001");
        assert_eq!(show(Quantity::Nats, -2.5314), "-2.531");
    }

    #[test]
    fn a_kl_has_three_significant_digits_and_at_most_four_decimals() {
        assert_eq!(show(Quantity::Kl, 0.83), "0.830");
        assert_eq!(show(Quantity::Kl, 0.012345), "0.0123");
        assert_eq!(show(Quantity::Kl, 12.345), "12.3");
        assert_eq!(show(Quantity::Kl, 123.45), "123");
        assert_eq!(show(Quantity::Kl, 4567.8), "4568");
        assert_eq!(show(Quantity::Kl, 0.00012345), "0.0001");
        assert_eq!(show(Quantity::Kl, 1e-9), "0.0000");
        assert_eq!(show(Quantity::Kl, 0.0), "0.00");
        // Rounding up across a power of ten keeps the count honest enough: 0.09996 is 0.1000.
        assert_eq!(show(Quantity::Kl, 0.09996), "0.1000");
    }

    #[test]
    fn every_significant_kind_keeps_its_digit_count_across_magnitudes() {
        // Between the caps, a KL always has three significant digits.
        for e in -2..4 {
            for m in [1.234, 4.567, 9.871] {
                let x = m * 10f64.powi(e);
                let s = show(Quantity::Kl, x);
                let digits: String = s.chars().filter(char::is_ascii_digit).collect();
                let significant = digits.trim_start_matches('0');
                assert!(significant.len() == 3 || (e >= 3 && significant.len() == e as usize + 1), "{x} → {s}");
            }
        }
    }

    #[test]
    fn fixed_kinds_and_effective_sample_sizes() {
        assert_eq!(show(Quantity::KHat, 0.7049), "0.70");
        assert_eq!(show(Quantity::RHat, 1.00349), "1.003");
        assert_eq!(show(Quantity::Moment, -0.43649), "-0.436");
        assert_eq!(show(Quantity::Fraction, 0.8049), "0.80");
        assert_eq!(show(Quantity::Rate, 548312.7), "548313");
        assert_eq!(show(Quantity::Millis, 16.66), "16.7");
        assert_eq!(show(Quantity::Ess, 3.24), "3.2");
        assert_eq!(show(Quantity::Ess, 45.31), "45.3");
        assert_eq!(show(Quantity::Ess, 812.4), "812");
        assert_eq!(show(Quantity::Ess, 7912.2), "7912");
    }

    #[test]
    fn missing_and_infinite_values_are_words_not_digits() {
        for kind in ALL {
            assert_eq!(show(kind, f64::NAN), "—");
            assert_eq!(show(kind, f64::INFINITY), "∞");
            assert_eq!(show(kind, f64::NEG_INFINITY), "−∞");
        }
    }
}
