//! A typed formula in x and y, compiled to a small stack program that returns its value and its
//! exact gradient (forward-mode automatic differentiation: every value carries ∂/∂x and ∂/∂y).
//!
//! Longer than 400 lines: the parser, the stack program it writes and the evaluator that runs it
//! share one private instruction set; split, the instructions would have to be public.
//!
//! Grammar (precedence from low to high; `^` binds right and above unary minus, so −x^2 = −(x²)):
//!
//!   sum     = product (("+" | "−") product)*
//!   product = unary (("*" | "/") unary)*
//!   unary   = ("−" | "+") unary | power
//!   power   = atom ("^" unary)?
//!   atom    = number | x | y | pi | e | name "(" sum ("," sum)* ")" | "(" sum ")"
//!
//! Functions: exp, log (= ln), sqrt, abs, sin, cos, tan, tanh, sigmoid, softplus, log1p, and
//! logsumexp of two or more arguments. Written by hand rather than with an expression crate: it is
//! a few hundred lines, needs no regex engine in the wasm bundle, and gives exact gradients and
//! errors with the character position, which the crates we weighed (meval, evalexpr, fasteval)
//! do not do together. No JavaScript evaluates anything: the text becomes numbers here.

use crate::engine::math::{cos, exp, ln, ln_1p, sigmoid, sin};

/// The functions a formula may call, with their argument counts (0 = two or more).
pub const FUNCTIONS: &[(&str, usize)] = &[
    ("exp", 1),
    ("log", 1),
    ("ln", 1),
    ("sqrt", 1),
    ("abs", 1),
    ("sin", 1),
    ("cos", 1),
    ("tan", 1),
    ("tanh", 1),
    ("sigmoid", 1),
    ("softplus", 1),
    ("log1p", 1),
    ("logsumexp", 0),
];

/// The names a formula may use besides the functions.
pub const NAMES: &[&str] = &["x", "y", "pi", "e"];

/// Why a text is not a formula: what, and where (the 1-based character position).
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaError {
    pub at: usize,
    pub message: String,
}

impl std::fmt::Display for FormulaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at character {}: {}", self.at, self.message)
    }
}

/// A value and its gradient in (x, y).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dual {
    pub v: f64,
    pub dx: f64,
    pub dy: f64,
}

impl Dual {
    fn constant(v: f64) -> Self {
        Dual { v, dx: 0.0, dy: 0.0 }
    }

    /// f(self) with f'(self.v) = `slope`.
    fn chain(self, v: f64, slope: f64) -> Self {
        Dual { v, dx: slope * self.dx, dy: slope * self.dy }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Const(f64),
    X,
    Y,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Neg,
    Call(usize),
    /// logsumexp of the top n values.
    LogSumExp(usize),
}

/// A compiled formula.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    ops: Vec<Op>,
    depth: usize,
}

/// The most characters a formula may have (links carry it).
pub const MAX_LEN: usize = 300;

impl Formula {
    /// Compiles `text`, or says where and why it is not a formula.
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() > MAX_LEN {
            return Err(FormulaError {
                at: MAX_LEN + 1,
                message: format!("a formula has at most {MAX_LEN} characters"),
            });
        }
        let mut p = Parser { chars, pos: 0, ops: Vec::new() };
        p.skip_space();
        if p.pos == p.chars.len() {
            return Err(FormulaError {
                at: 1,
                message: "the formula is empty: write ln p̃(x, y), e.g. -(x^2 + y^2)/2".into(),
            });
        }
        p.sum(0)?;
        p.skip_space();
        if p.pos < p.chars.len() {
            return Err(p.error(p.unexpected("an operator")));
        }
        let depth = max_depth(&p.ops);
        Ok(Formula { ops: p.ops, depth })
    }

    /// The value at (x, y).
    pub fn value(&self, x: f64, y: f64) -> f64 {
        self.eval(x, y).v
    }

    /// The value and its exact gradient at (x, y).
    pub fn eval(&self, x: f64, y: f64) -> Dual {
        let mut stack: Vec<Dual> = Vec::with_capacity(self.depth);
        for &op in &self.ops {
            let top = match op {
                Op::Const(c) => Dual::constant(c),
                Op::X => Dual { v: x, dx: 1.0, dy: 0.0 },
                Op::Y => Dual { v: y, dx: 0.0, dy: 1.0 },
                Op::Neg => {
                    let a = stack.pop().unwrap_or(Dual::constant(f64::NAN));
                    Dual { v: -a.v, dx: -a.dx, dy: -a.dy }
                }
                Op::Call(f) => call(f, stack.pop().unwrap_or(Dual::constant(f64::NAN))),
                Op::LogSumExp(n) => {
                    let args = stack.split_off(stack.len().saturating_sub(n));
                    log_sum_exp(&args)
                }
                _ => {
                    let b = stack.pop().unwrap_or(Dual::constant(f64::NAN));
                    let a = stack.pop().unwrap_or(Dual::constant(f64::NAN));
                    binary(op, a, b)
                }
            };
            stack.push(top);
        }
        stack.pop().unwrap_or(Dual::constant(f64::NAN))
    }
}

/// The stack depth a program needs.
fn max_depth(ops: &[Op]) -> usize {
    let (mut d, mut most) = (0usize, 0usize);
    for op in ops {
        d = match op {
            Op::Const(_) | Op::X | Op::Y => d + 1,
            Op::Neg | Op::Call(_) => d,
            Op::LogSumExp(n) => d + 1 - n,
            _ => d - 1,
        };
        most = most.max(d);
    }
    most
}

fn binary(op: Op, a: Dual, b: Dual) -> Dual {
    match op {
        Op::Add => Dual { v: a.v + b.v, dx: a.dx + b.dx, dy: a.dy + b.dy },
        Op::Sub => Dual { v: a.v - b.v, dx: a.dx - b.dx, dy: a.dy - b.dy },
        Op::Mul => Dual { v: a.v * b.v, dx: a.dx * b.v + a.v * b.dx, dy: a.dy * b.v + a.v * b.dy },
        Op::Div => {
            let v = a.v / b.v;
            Dual { v, dx: (a.dx - v * b.dx) / b.v, dy: (a.dy - v * b.dy) / b.v }
        }
        _ => pow(a, b),
    }
}

/// aᵇ. A constant exponent (the common case, x^2) differentiates as b·a^(b−1), defined for a ≤ 0
/// too; a variable one through e^(b ln a), defined for a > 0.
fn pow(a: Dual, b: Dual) -> Dual {
    let v = libm::pow(a.v, b.v);
    let da = if b.v == 0.0 { 0.0 } else { b.v * libm::pow(a.v, b.v - 1.0) };
    if b.dx == 0.0 && b.dy == 0.0 {
        return a.chain(v, da);
    }
    let db = v * ln(a.v);
    Dual { v, dx: da * a.dx + db * b.dx, dy: da * a.dy + db * b.dy }
}

fn call(f: usize, a: Dual) -> Dual {
    let v = a.v;
    match FUNCTIONS[f].0 {
        "exp" => {
            let e = exp(v);
            a.chain(e, e)
        }
        "log" | "ln" => a.chain(ln(v), 1.0 / v),
        "sqrt" => {
            let r = v.sqrt();
            a.chain(r, 0.5 / r)
        }
        "abs" => a.chain(v.abs(), if v < 0.0 { -1.0 } else { 1.0 }),
        "sin" => a.chain(sin(v), cos(v)),
        "cos" => a.chain(cos(v), -sin(v)),
        "tan" => {
            let t = libm::tan(v);
            a.chain(t, 1.0 + t * t)
        }
        "tanh" => {
            let t = libm::tanh(v);
            a.chain(t, 1.0 - t * t)
        }
        "sigmoid" => {
            let s = sigmoid(v);
            a.chain(s, s * (1.0 - s))
        }
        // ln(1 + eᵛ) = max(v, 0) + ln(1 + e^(−|v|)), without overflow.
        "softplus" => a.chain(v.max(0.0) + ln_1p(exp(-v.abs())), sigmoid(v)),
        _ => a.chain(ln_1p(v), 1.0 / (1.0 + v)),
    }
}

/// ln Σ e^(aₖ) with the gradient Σ softmax(a)ₖ ∇aₖ.
fn log_sum_exp(args: &[Dual]) -> Dual {
    let m = args.iter().fold(f64::NEG_INFINITY, |m, a| m.max(a.v));
    if !m.is_finite() {
        return Dual::constant(m);
    }
    let total: f64 = args.iter().map(|a| exp(a.v - m)).sum();
    let v = m + ln(total);
    args.iter().fold(Dual::constant(v), |d, a| {
        let w = exp(a.v - v);
        Dual { v, dx: d.dx + w * a.dx, dy: d.dy + w * a.dy }
    })
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    ops: Vec<Op>,
}

/// Nesting deeper than this is refused (a parser that recursed without end would overflow the
/// stack and kill the page).
const MAX_NESTING: usize = 64;

impl Parser {
    /// What stands where `wanted` should: a word or a '(' right after a value is a missing `*`.
    fn unexpected(&self, wanted: &str) -> String {
        match self.chars.get(self.pos) {
            None => format!("expected {wanted}, found the end"),
            Some(&c) if c.is_alphanumeric() || c == '(' => {
                format!("expected an operator before '{c}' (write 2*x, not 2x)")
            }
            Some(c) => format!("expected {wanted}, found '{c}'"),
        }
    }

    fn error(&self, message: String) -> FormulaError {
        FormulaError { at: self.pos + 1, message }
    }

    fn skip_space(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    /// The next non-space character, not consumed.
    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.get(self.pos).copied()
    }

    fn sum(&mut self, depth: usize) -> Result<(), FormulaError> {
        if depth > MAX_NESTING {
            return Err(self.error(format!("nested more than {MAX_NESTING} deep")));
        }
        let op = |c| match c {
            '+' => Some(Op::Add),
            '-' | '−' => Some(Op::Sub),
            _ => None,
        };
        self.left_assoc(depth, Self::product, op)
    }

    fn product(&mut self, depth: usize) -> Result<(), FormulaError> {
        let op = |c| match c {
            '*' | '·' | '×' => Some(Op::Mul),
            '/' => Some(Op::Div),
            _ => None,
        };
        self.left_assoc(depth, Self::unary, op)
    }

    /// `operand (op operand)*`, left-associative: one level of the grammar.
    fn left_assoc(
        &mut self,
        depth: usize,
        operand: fn(&mut Self, usize) -> Result<(), FormulaError>,
        op_of: fn(char) -> Option<Op>,
    ) -> Result<(), FormulaError> {
        operand(self, depth)?;
        while let Some(op) = self.peek().and_then(op_of) {
            self.pos += 1;
            operand(self, depth)?;
            self.ops.push(op);
        }
        Ok(())
    }

    fn unary(&mut self, depth: usize) -> Result<(), FormulaError> {
        if depth > MAX_NESTING {
            return Err(self.error(format!("nested more than {MAX_NESTING} deep")));
        }
        match self.peek() {
            Some('-' | '−') => {
                self.pos += 1;
                self.unary(depth + 1)?;
                self.ops.push(Op::Neg);
                Ok(())
            }
            Some('+') => {
                self.pos += 1;
                self.unary(depth + 1)
            }
            _ => self.power(depth),
        }
    }

    fn power(&mut self, depth: usize) -> Result<(), FormulaError> {
        self.atom(depth)?;
        if self.peek() == Some('^') {
            self.pos += 1;
            self.unary(depth + 1)?;
            self.ops.push(Op::Pow);
        }
        Ok(())
    }

    fn atom(&mut self, depth: usize) -> Result<(), FormulaError> {
        let Some(c) = self.peek() else {
            return Err(self.error("the formula ends where a number, x, y or a function was expected".into()));
        };
        if c.is_ascii_digit() || c == '.' {
            return self.number();
        }
        if c == '(' {
            self.pos += 1;
            self.sum(depth + 1)?;
            return self.expect(')', "an operator or a closing ')'");
        }
        if c.is_alphabetic() || c == 'π' {
            let start = self.pos;
            while self.chars.get(self.pos).is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == 'π') {
                self.pos += 1;
            }
            let name: String = self.chars[start..self.pos].iter().collect();
            let at = start + 1;
            if let Some(f) = FUNCTIONS.iter().position(|(n, _)| *n == name) {
                if self.peek() != Some('(') {
                    return Err(self.error(format!("{name} needs its argument in parentheses: {name}(…)")));
                }
                self.pos += 1;
                let mut args = 1;
                self.sum(depth + 1)?;
                while self.peek() == Some(',') {
                    self.pos += 1;
                    self.sum(depth + 1)?;
                    args += 1;
                }
                self.expect(')', "an operator, ',' or a closing ')'")?;
                return match FUNCTIONS[f].1 {
                    0 if args >= 2 => {
                        self.ops.push(Op::LogSumExp(args));
                        Ok(())
                    }
                    0 => Err(FormulaError { at, message: format!("{name} takes two or more arguments") }),
                    1 if args == 1 => {
                        self.ops.push(Op::Call(f));
                        Ok(())
                    }
                    _ => Err(FormulaError { at, message: format!("{name} takes one argument, not {args}") }),
                };
            }
            let op = match name.as_str() {
                "x" => Op::X,
                "y" => Op::Y,
                "pi" | "π" => Op::Const(std::f64::consts::PI),
                "e" => Op::Const(std::f64::consts::E),
                _ => {
                    let functions: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
                    return Err(FormulaError {
                        at,
                        message: format!(
                            "unknown name '{name}': use x, y, pi, e and the functions {}",
                            functions.join(", ")
                        ),
                    });
                }
            };
            self.ops.push(op);
            return Ok(());
        }
        Err(self.error(format!("unexpected '{c}': expected a number, x, y, a function or '('")))
    }

    fn number(&mut self) -> Result<(), FormulaError> {
        let start = self.pos;
        let digits = |p: &mut Parser| {
            while p.chars.get(p.pos).is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
        };
        digits(self);
        if self.chars.get(self.pos) == Some(&'.') {
            self.pos += 1;
            digits(self);
        }
        // An exponent, 1e-3, only when digits follow (so that "2e" is not half a number).
        if matches!(self.chars.get(self.pos), Some('e' | 'E')) {
            let mut q = self.pos + 1;
            if matches!(self.chars.get(q), Some('+' | '-')) {
                q += 1;
            }
            if self.chars.get(q).is_some_and(|c| c.is_ascii_digit()) {
                self.pos = q;
                digits(self);
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                self.ops.push(Op::Const(v));
                Ok(())
            }
            _ => Err(FormulaError { at: start + 1, message: format!("'{text}' is not a number") }),
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), FormulaError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(self.unexpected(what)))
        }
    }
}
