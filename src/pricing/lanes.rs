//! Four f64 lanes, for pricing four options at once: two WebAssembly `f64x2` vectors (simd128)
//! when the module is built with it, four plain floats otherwise. Four rather than two because
//! the price is one long chain of dependent operations (ln, then d1, then exp, then the rational
//! functions), and two independent chains per iteration keep the processor busy: natively a
//! 10,000-option chain took 1.21 ms option by option, 0.83 ms in pairs, 0.63 ms in fours.
//!
//! Both forms do the same IEEE operations lane by lane in the same order (no fused multiply-add,
//! `max` written as a comparison and a select), so the native tests exercise the arithmetic the
//! browser runs; tests/wasm.rs checks the SIMD build itself, in Node and in Chromium.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    /// Four f64 lanes: two `f64x2` vectors.
    #[derive(Clone, Copy, Debug)]
    pub struct F4(v128, v128);

    /// A lane mask from a comparison.
    #[derive(Clone, Copy, Debug)]
    pub struct M4(v128, v128);

    macro_rules! each {
        ($self:ident, $op:ident) => {
            F4($op($self.0), $op($self.1))
        };
        ($self:ident, $other:ident, $op:ident) => {
            F4($op($self.0, $other.0), $op($self.1, $other.1))
        };
    }
    macro_rules! test {
        ($self:ident, $other:ident, $op:ident) => {
            M4($op($self.0, $other.0), $op($self.1, $other.1))
        };
    }

    impl F4 {
        #[inline(always)]
        pub fn new(v: [f64; 4]) -> F4 {
            F4(f64x2(v[0], v[1]), f64x2(v[2], v[3]))
        }
        /// Four consecutive values, read as two vectors (`F4::new` of an array's lanes reads
        /// them one by one).
        #[inline(always)]
        pub fn load(v: &[f64; 4]) -> F4 {
            let p = v.as_ptr().cast::<v128>();
            // SAFETY: `v` holds 32 readable bytes; v128_load has no alignment requirement.
            unsafe { F4(v128_load(p), v128_load(p.add(1))) }
        }
        #[inline(always)]
        pub fn splat(a: f64) -> F4 {
            let v = f64x2_splat(a);
            F4(v, v)
        }
        /// `*a` in every lane, read from memory with one `v128.load64_splat` (see
        /// [`super::super::lane_math`]'s coefficient tables).
        #[inline(always)]
        pub fn load_splat(a: &f64) -> F4 {
            // SAFETY: `a` is a readable, aligned f64; the load reads its 8 bytes.
            let v = unsafe { v128_load64_splat((a as *const f64).cast::<u64>()) };
            F4(v, v)
        }
        #[inline(always)]
        pub fn lanes(self) -> [f64; 4] {
            [
                f64x2_extract_lane::<0>(self.0),
                f64x2_extract_lane::<1>(self.0),
                f64x2_extract_lane::<0>(self.1),
                f64x2_extract_lane::<1>(self.1),
            ]
        }
        #[inline(always)]
        pub fn abs(self) -> F4 {
            each!(self, f64x2_abs)
        }
        #[inline(always)]
        pub fn sqrt(self) -> F4 {
            each!(self, f64x2_sqrt)
        }
        /// `other` where `other > self`, else `self`.
        #[inline(always)]
        pub fn max(self, other: F4) -> F4 {
            each!(self, other, f64x2_pmax)
        }
        #[inline(always)]
        pub fn lt(self, other: F4) -> M4 {
            test!(self, other, f64x2_lt)
        }
        #[inline(always)]
        pub fn le(self, other: F4) -> M4 {
            test!(self, other, f64x2_le)
        }
        #[inline(always)]
        pub fn eq(self, other: F4) -> M4 {
            test!(self, other, f64x2_eq)
        }
        /// (k, 2^k) with k each lane rounded to the nearest integer, ties to even, for lanes
        /// within [−1022.5, 1023.5). Adding 1.5·2^52 rounds a lane to an integer and leaves k in
        /// the low bits of the sum, from which 2^k's exponent field is one add and one shift:
        /// no rounding instruction and no conversion (V8 lowers `i32x4.trunc_sat_f64x2_zero`
        /// to several instructions).
        #[inline(always)]
        pub fn round_with_exp2(self) -> (F4, F4) {
            #[inline(always)]
            fn split(v: v128) -> (v128, v128) {
                let magic = f64x2_splat(super::ROUNDING_MAGIC);
                let sum = f64x2_add(v, magic);
                // The low 12 bits of 1.5·2^52 are zero, so the shift leaves k + 1023 alone.
                let pow = i64x2_shl(i64x2_add(sum, i64x2_splat(1023)), 52);
                (f64x2_sub(sum, magic), pow)
            }
            let ((k0, p0), (k1, p1)) = (split(self.0), split(self.1));
            (F4(k0, k1), F4(p0, p1))
        }
        /// Splits positive normal lanes into m·2^e with m in [√½, √2): returns (m, e).
        #[inline(always)]
        pub fn split_exponent(self) -> (F4, F4) {
            #[inline(always)]
            fn split(v: v128) -> (v128, v128) {
                // e + 1023, from a logical shift of a sum that is positive for every positive
                // double: x64 has no arithmetic shift of 64-bit lanes, and V8 emulates
                // `i64x2.shr_s` with five instructions where `u64x2.shr` is one.
                let bias = (1023 << 52) - super::SQRT_HALF_BITS as i64;
                let biased_e = u64x2_shr(i64x2_add(v, i64x2_splat(bias)), 52);
                let m = i64x2_sub(v, i64x2_shl(i64x2_sub(biased_e, i64x2_splat(1023)), 52));
                // e as a double: the bits of 1.5·2^52 + e + 1023, less 1.5·2^52 + 1023 (exact
                // for |e| < 2^50), where a conversion would be taken lane by lane.
                let magic = super::ROUNDING_MAGIC;
                let e = f64x2_sub(
                    i64x2_add(f64x2_splat(magic), biased_e),
                    f64x2_splat(magic + 1023.0),
                );
                (m, e)
            }
            let ((m0, e0), (m1, e1)) = (split(self.0), split(self.1));
            (F4(m0, m1), F4(e0, e1))
        }
    }

    impl M4 {
        #[inline(always)]
        pub fn from_bools(v: [bool; 4]) -> M4 {
            M4(
                i64x2(-i64::from(v[0]), -i64::from(v[1])),
                i64x2(-i64::from(v[2]), -i64::from(v[3])),
            )
        }
        #[inline(always)]
        pub fn select(self, yes: F4, no: F4) -> F4 {
            F4(
                v128_bitselect(yes.0, no.0, self.0),
                v128_bitselect(yes.1, no.1, self.1),
            )
        }
        #[inline(always)]
        pub fn and(self, other: M4) -> M4 {
            test!(self, other, v128_and)
        }
        #[inline(always)]
        pub fn or(self, other: M4) -> M4 {
            test!(self, other, v128_or)
        }
        #[inline(always)]
        pub fn and_not(self, other: M4) -> M4 {
            test!(self, other, v128_andnot)
        }
        #[inline(always)]
        pub fn ne(self, other: M4) -> M4 {
            test!(self, other, v128_xor)
        }
        #[inline(always)]
        pub fn any(self) -> bool {
            v128_any_true(v128_or(self.0, self.1))
        }
        #[inline(always)]
        pub fn all(self) -> bool {
            i64x2_all_true(v128_and(self.0, self.1))
        }
        #[inline(always)]
        pub fn lanes(self) -> [bool; 4] {
            [
                i64x2_extract_lane::<0>(self.0) != 0,
                i64x2_extract_lane::<1>(self.0) != 0,
                i64x2_extract_lane::<0>(self.1) != 0,
                i64x2_extract_lane::<1>(self.1) != 0,
            ]
        }
    }

    macro_rules! binary {
        ($trait:ident, $method:ident, $op:ident) => {
            impl core::ops::$trait for F4 {
                type Output = F4;
                #[inline(always)]
                fn $method(self, other: F4) -> F4 {
                    each!(self, other, $op)
                }
            }
        };
    }
    binary!(Add, add, f64x2_add);
    binary!(Sub, sub, f64x2_sub);
    binary!(Mul, mul, f64x2_mul);
    binary!(Div, div, f64x2_div);

    impl core::ops::Neg for F4 {
        type Output = F4;
        #[inline(always)]
        fn neg(self) -> F4 {
            each!(self, f64x2_neg)
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    /// Four f64 lanes.
    #[derive(Clone, Copy, Debug)]
    pub struct F4([f64; 4]);

    /// A lane mask from a comparison.
    #[derive(Clone, Copy, Debug)]
    pub struct M4([bool; 4]);

    impl F4 {
        #[inline(always)]
        fn map(self, f: impl Fn(f64) -> f64) -> F4 {
            F4(self.0.map(f))
        }
        #[inline(always)]
        fn zip(self, other: F4, f: impl Fn(f64, f64) -> f64) -> F4 {
            F4(core::array::from_fn(|i| f(self.0[i], other.0[i])))
        }
        #[inline(always)]
        fn test(self, other: F4, f: impl Fn(f64, f64) -> bool) -> M4 {
            M4(core::array::from_fn(|i| f(self.0[i], other.0[i])))
        }
        #[inline(always)]
        pub fn new(v: [f64; 4]) -> F4 {
            F4(v)
        }
        /// Four consecutive values.
        #[inline(always)]
        pub fn load(v: &[f64; 4]) -> F4 {
            F4(*v)
        }
        #[inline(always)]
        pub fn splat(a: f64) -> F4 {
            F4([a; 4])
        }
        #[inline(always)]
        pub fn load_splat(a: &f64) -> F4 {
            F4([*a; 4])
        }
        #[inline(always)]
        pub fn lanes(self) -> [f64; 4] {
            self.0
        }
        #[inline(always)]
        pub fn abs(self) -> F4 {
            self.map(f64::abs)
        }
        #[inline(always)]
        pub fn sqrt(self) -> F4 {
            self.map(f64::sqrt)
        }
        /// `other` where `other > self`, else `self`.
        #[inline(always)]
        pub fn max(self, other: F4) -> F4 {
            self.zip(other, |a, b| if a < b { b } else { a })
        }
        #[inline(always)]
        pub fn lt(self, other: F4) -> M4 {
            self.test(other, |a, b| a < b)
        }
        #[inline(always)]
        pub fn le(self, other: F4) -> M4 {
            self.test(other, |a, b| a <= b)
        }
        #[inline(always)]
        pub fn eq(self, other: F4) -> M4 {
            self.test(other, |a, b| a == b)
        }
        /// (k, 2^k) with k each lane rounded to the nearest integer, ties to even, for lanes
        /// within [−1022.5, 1023.5).
        #[inline(always)]
        pub fn round_with_exp2(self) -> (F4, F4) {
            let k = self.map(|a| (a + super::ROUNDING_MAGIC) - super::ROUNDING_MAGIC);
            (
                k,
                k.map(|k| f64::from_bits(((k as i64 + 1023) << 52) as u64)),
            )
        }
        /// Splits positive normal lanes into m·2^e with m in [√½, √2): returns (m, e).
        #[inline(always)]
        pub fn split_exponent(self) -> (F4, F4) {
            let split = |r: f64| {
                let e = (r.to_bits() as i64).wrapping_sub(super::SQRT_HALF_BITS as i64) >> 52;
                let m = f64::from_bits((r.to_bits() as i64).wrapping_sub(e << 52) as u64);
                (m, e as f64)
            };
            let parts = self.0.map(split);
            (F4(parts.map(|p| p.0)), F4(parts.map(|p| p.1)))
        }
    }

    impl M4 {
        #[inline(always)]
        pub fn from_bools(v: [bool; 4]) -> M4 {
            M4(v)
        }
        #[inline(always)]
        pub fn select(self, yes: F4, no: F4) -> F4 {
            F4(core::array::from_fn(|i| {
                if self.0[i] {
                    yes.0[i]
                } else {
                    no.0[i]
                }
            }))
        }
        #[inline(always)]
        pub fn and(self, other: M4) -> M4 {
            M4(core::array::from_fn(|i| self.0[i] && other.0[i]))
        }
        #[inline(always)]
        pub fn or(self, other: M4) -> M4 {
            M4(core::array::from_fn(|i| self.0[i] || other.0[i]))
        }
        #[inline(always)]
        pub fn and_not(self, other: M4) -> M4 {
            M4(core::array::from_fn(|i| self.0[i] && !other.0[i]))
        }
        #[inline(always)]
        pub fn ne(self, other: M4) -> M4 {
            M4(core::array::from_fn(|i| self.0[i] != other.0[i]))
        }
        #[inline(always)]
        pub fn any(self) -> bool {
            self.0.iter().any(|b| *b)
        }
        #[inline(always)]
        pub fn all(self) -> bool {
            self.0.iter().all(|b| *b)
        }
        #[inline(always)]
        pub fn lanes(self) -> [bool; 4] {
            self.0
        }
    }

    macro_rules! binary {
        ($trait:ident, $method:ident, $op:tt) => {
            impl core::ops::$trait for F4 {
                type Output = F4;
                #[inline(always)]
                fn $method(self, other: F4) -> F4 {
                    self.zip(other, |a, b| a $op b)
                }
            }
        };
    }
    binary!(Add, add, +);
    binary!(Sub, sub, -);
    binary!(Mul, mul, *);
    binary!(Div, div, /);

    impl core::ops::Neg for F4 {
        type Output = F4;
        #[inline(always)]
        fn neg(self) -> F4 {
            self.map(|a| -a)
        }
    }
}

pub use imp::{F4, M4};

// Gathers written out lane by lane: the module is built for size (opt-level "s"), at which
// `array::map` and `array::from_fn` stay calls per lane in the hot loops.
impl F4 {
    /// `values[at[0]]`, …, `values[at[3]]`.
    #[inline(always)]
    pub fn gather(values: &[f64], at: [usize; 4]) -> F4 {
        F4::new([values[at[0]], values[at[1]], values[at[2]], values[at[3]]])
    }
}

impl M4 {
    /// `values[at[0]]`, …, `values[at[3]]`.
    #[inline(always)]
    pub fn gather(values: &[bool], at: [usize; 4]) -> M4 {
        M4::from_bools([values[at[0]], values[at[1]], values[at[2]], values[at[3]]])
    }
}

/// The bits of √½ (rounded down): `split_exponent`'s boundary.
const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcd;

/// 1.5·2^52: a double of magnitude below 2^51 added to it is rounded to an integer (ties to
/// even), which the sum holds in its low bits.
const ROUNDING_MAGIC: f64 = 6_755_399_441_055_744.0;
