//! Adam (Kingma & Ba 2015, Algorithm 1), with its state kept apart from the parameters (optax,
//! argmin): the fit owns both and the learning rate can change between steps.

/// Hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl Adam {
    pub fn new(lr: f64) -> Self {
        Adam { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 }
    }

    /// The first and second moment estimates at step 0.
    pub fn init(&self, n: usize) -> AdamState {
        AdamState { m: vec![0.0; n], v: vec![0.0; n], t: 0 }
    }

    /// Writes φ − lr·m̂/(√v̂ + ε) into `out`, updating the moments, for a gradient of the loss.
    pub fn update(&self, state: &mut AdamState, grad: &[f64], params: &[f64], out: &mut [f64]) {
        state.t += 1;
        let t = state.t as i32;
        let c1 = 1.0 - self.beta1.powi(t);
        let c2 = 1.0 - self.beta2.powi(t);
        for i in 0..grad.len() {
            state.m[i] = self.beta1 * state.m[i] + (1.0 - self.beta1) * grad[i];
            state.v[i] = self.beta2 * state.v[i] + (1.0 - self.beta2) * grad[i] * grad[i];
            let m_hat = state.m[i] / c1;
            let v_hat = state.v[i] / c2;
            out[i] = params[i] - self.lr * m_hat / (v_hat.sqrt() + self.eps);
        }
    }
}

/// Adam's moment estimates and step counter.
#[derive(Debug, Clone, PartialEq)]
pub struct AdamState {
    pub m: Vec<f64>,
    pub v: Vec<f64>,
    pub t: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adam_minimises_a_quadratic() {
        // f(φ) = Σ cᵢ (φᵢ − 3)², minimum at 3 whatever the scale cᵢ.
        let c = [1.0, 100.0, 0.01];
        let adam = Adam::new(0.05);
        let mut s = adam.init(3);
        let mut phi = vec![0.0; 3];
        let mut next = vec![0.0; 3];
        for _ in 0..5000 {
            let g: Vec<f64> = phi.iter().zip(c).map(|(p, c)| 2.0 * c * (p - 3.0)).collect();
            adam.update(&mut s, &g, &phi, &mut next);
            phi.copy_from_slice(&next);
        }
        for p in phi {
            assert!((p - 3.0).abs() < 1e-3, "{p}");
        }
    }

    #[test]
    fn first_adam_step_has_length_lr() {
        // With m̂ = g and v̂ = g², the first step is lr·sign(g) (up to ε).
        let adam = Adam::new(0.1);
        let mut s = adam.init(2);
        let mut out = [0.0; 2];
        adam.update(&mut s, &[5.0, -0.001], &[1.0, 1.0], &mut out);
        assert!((out[0] - 0.9).abs() < 1e-9 && (out[1] - 1.1).abs() < 1e-5, "{out:?}");
    }
}
