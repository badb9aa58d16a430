//! Two f64 lanes, for pricing two options at once: WebAssembly's `f64x2` (simd128) when the
//! module is built with it, a pair of plain floats otherwise.
//!
//! Both forms do the same IEEE operations lane by lane in the same order (no fused multiply-add,
//! `max` and `min` written as a comparison and a select), so a native test of the vector code
//! checks the numbers the browser computes, bit for bit.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    /// Two f64 lanes.
    #[derive(Clone, Copy, Debug)]
    pub struct F2(v128);

    /// A lane mask from a comparison.
    #[derive(Clone, Copy, Debug)]
    pub struct M2(v128);

    impl F2 {
        #[inline(always)]
        pub fn new(a: f64, b: f64) -> F2 {
            F2(f64x2(a, b))
        }
        #[inline(always)]
        pub fn splat(a: f64) -> F2 {
            F2(f64x2_splat(a))
        }
        #[inline(always)]
        pub fn lanes(self) -> [f64; 2] {
            [
                f64x2_extract_lane::<0>(self.0),
                f64x2_extract_lane::<1>(self.0),
            ]
        }
        #[inline(always)]
        pub fn sqrt(self) -> F2 {
            F2(f64x2_sqrt(self.0))
        }
        #[inline(always)]
        pub fn abs(self) -> F2 {
            F2(f64x2_abs(self.0))
        }
        /// Round to the nearest integer, ties to even.
        #[inline(always)]
        pub fn round_ties_even(self) -> F2 {
            F2(f64x2_nearest(self.0))
        }
        /// `other` where `other > self`, else `self`.
        #[inline(always)]
        pub fn max(self, other: F2) -> F2 {
            F2(f64x2_pmax(self.0, other.0))
        }
        #[inline(always)]
        pub fn lt(self, other: F2) -> M2 {
            M2(f64x2_lt(self.0, other.0))
        }
        #[inline(always)]
        pub fn le(self, other: F2) -> M2 {
            M2(f64x2_le(self.0, other.0))
        }
        #[inline(always)]
        pub fn gt(self, other: F2) -> M2 {
            M2(f64x2_gt(self.0, other.0))
        }
        /// 2^k for lanes holding integers in −1022..=1023.
        #[inline(always)]
        pub fn exp2_integer(self) -> F2 {
            let k = i64x2_extend_low_i32x4(i32x4_trunc_sat_f64x2_zero(self.0));
            F2(i64x2_shl(i64x2_add(k, i64x2_splat(1023)), 52))
        }
        /// Splits positive normal lanes into m·2^e with m in [√½, √2): returns (m, e).
        #[inline(always)]
        pub fn split_exponent(self) -> (F2, F2) {
            let shifted = i64x2_sub(self.0, i64x2_splat(super::SQRT_HALF_BITS as i64));
            let e = i64x2_shr(shifted, 52);
            let m = i64x2_sub(self.0, i64x2_shl(e, 52));
            let e32 = i32x4_shuffle::<0, 2, 0, 2>(e, e);
            (F2(m), F2(f64x2_convert_low_i32x4(e32)))
        }
    }

    impl M2 {
        #[inline(always)]
        pub fn from_bools(a: bool, b: bool) -> M2 {
            M2(i64x2(-i64::from(a), -i64::from(b)))
        }
        #[inline(always)]
        pub fn select(self, yes: F2, no: F2) -> F2 {
            F2(v128_bitselect(yes.0, no.0, self.0))
        }
        #[inline(always)]
        pub fn and(self, other: M2) -> M2 {
            M2(v128_and(self.0, other.0))
        }
        #[inline(always)]
        pub fn and_not(self, other: M2) -> M2 {
            M2(v128_andnot(self.0, other.0))
        }
        #[inline(always)]
        pub fn ne(self, other: M2) -> M2 {
            M2(v128_xor(self.0, other.0))
        }
        #[inline(always)]
        pub fn any(self) -> bool {
            v128_any_true(self.0)
        }
        #[inline(always)]
        pub fn all(self) -> bool {
            i64x2_all_true(self.0)
        }
        #[inline(always)]
        pub fn lanes(self) -> [bool; 2] {
            [
                i64x2_extract_lane::<0>(self.0) != 0,
                i64x2_extract_lane::<1>(self.0) != 0,
            ]
        }
    }

    macro_rules! binary {
        ($trait:ident, $method:ident, $op:ident) => {
            impl core::ops::$trait for F2 {
                type Output = F2;
                #[inline(always)]
                fn $method(self, other: F2) -> F2 {
                    F2($op(self.0, other.0))
                }
            }
        };
    }
    binary!(Add, add, f64x2_add);
    binary!(Sub, sub, f64x2_sub);
    binary!(Mul, mul, f64x2_mul);
    binary!(Div, div, f64x2_div);

    impl core::ops::Neg for F2 {
        type Output = F2;
        #[inline(always)]
        fn neg(self) -> F2 {
            F2(f64x2_neg(self.0))
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    /// Two f64 lanes.
    #[derive(Clone, Copy, Debug)]
    pub struct F2([f64; 2]);

    /// A lane mask from a comparison.
    #[derive(Clone, Copy, Debug)]
    pub struct M2([bool; 2]);

    impl F2 {
        #[inline(always)]
        fn map(self, f: impl Fn(f64) -> f64) -> F2 {
            F2([f(self.0[0]), f(self.0[1])])
        }
        #[inline(always)]
        fn zip(self, other: F2, f: impl Fn(f64, f64) -> f64) -> F2 {
            F2([f(self.0[0], other.0[0]), f(self.0[1], other.0[1])])
        }
        #[inline(always)]
        fn test(self, other: F2, f: impl Fn(f64, f64) -> bool) -> M2 {
            M2([f(self.0[0], other.0[0]), f(self.0[1], other.0[1])])
        }
        #[inline(always)]
        pub fn new(a: f64, b: f64) -> F2 {
            F2([a, b])
        }
        #[inline(always)]
        pub fn splat(a: f64) -> F2 {
            F2([a, a])
        }
        #[inline(always)]
        pub fn lanes(self) -> [f64; 2] {
            self.0
        }
        #[inline(always)]
        pub fn sqrt(self) -> F2 {
            self.map(f64::sqrt)
        }
        #[inline(always)]
        pub fn abs(self) -> F2 {
            self.map(f64::abs)
        }
        /// Round to the nearest integer, ties to even.
        #[inline(always)]
        pub fn round_ties_even(self) -> F2 {
            self.map(f64::round_ties_even)
        }
        /// `other` where `other > self`, else `self`.
        #[inline(always)]
        pub fn max(self, other: F2) -> F2 {
            self.zip(other, |a, b| if a < b { b } else { a })
        }
        #[inline(always)]
        pub fn lt(self, other: F2) -> M2 {
            self.test(other, |a, b| a < b)
        }
        #[inline(always)]
        pub fn le(self, other: F2) -> M2 {
            self.test(other, |a, b| a <= b)
        }
        #[inline(always)]
        pub fn gt(self, other: F2) -> M2 {
            self.test(other, |a, b| a > b)
        }
        /// 2^k for lanes holding integers in −1022..=1023.
        #[inline(always)]
        pub fn exp2_integer(self) -> F2 {
            self.map(|k| f64::from_bits(((k as i64 + 1023) << 52) as u64))
        }
        /// Splits positive normal lanes into m·2^e with m in [√½, √2): returns (m, e).
        #[inline(always)]
        pub fn split_exponent(self) -> (F2, F2) {
            let split = |r: f64| {
                let e = (r.to_bits() as i64).wrapping_sub(super::SQRT_HALF_BITS as i64) >> 52;
                let m = f64::from_bits((r.to_bits() as i64).wrapping_sub(e << 52) as u64);
                (m, e as f64)
            };
            let ((m0, e0), (m1, e1)) = (split(self.0[0]), split(self.0[1]));
            (F2([m0, m1]), F2([e0, e1]))
        }
    }

    impl M2 {
        #[inline(always)]
        pub fn from_bools(a: bool, b: bool) -> M2 {
            M2([a, b])
        }
        #[inline(always)]
        pub fn select(self, yes: F2, no: F2) -> F2 {
            F2([
                if self.0[0] { yes.0[0] } else { no.0[0] },
                if self.0[1] { yes.0[1] } else { no.0[1] },
            ])
        }
        #[inline(always)]
        pub fn and(self, other: M2) -> M2 {
            M2([self.0[0] && other.0[0], self.0[1] && other.0[1]])
        }
        #[inline(always)]
        pub fn and_not(self, other: M2) -> M2 {
            M2([self.0[0] && !other.0[0], self.0[1] && !other.0[1]])
        }
        #[inline(always)]
        pub fn ne(self, other: M2) -> M2 {
            M2([self.0[0] != other.0[0], self.0[1] != other.0[1]])
        }
        #[inline(always)]
        pub fn any(self) -> bool {
            self.0[0] || self.0[1]
        }
        #[inline(always)]
        pub fn all(self) -> bool {
            self.0[0] && self.0[1]
        }
        #[inline(always)]
        pub fn lanes(self) -> [bool; 2] {
            self.0
        }
    }

    macro_rules! binary {
        ($trait:ident, $method:ident, $op:tt) => {
            impl core::ops::$trait for F2 {
                type Output = F2;
                #[inline(always)]
                fn $method(self, other: F2) -> F2 {
                    self.zip(other, |a, b| a $op b)
                }
            }
        };
    }
    binary!(Add, add, +);
    binary!(Sub, sub, -);
    binary!(Mul, mul, *);
    binary!(Div, div, /);

    impl core::ops::Neg for F2 {
        type Output = F2;
        #[inline(always)]
        fn neg(self) -> F2 {
            self.map(|a| -a)
        }
    }
}

pub use imp::{F2, M2};

/// The bits of √½ (rounded down): `split_exponent`'s boundary.
const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcd;

impl F2 {
    /// Whether this build computes two lanes in one WebAssembly SIMD instruction.
    pub const SIMD: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));
}
