;; The credential filter's first pass (policy/lib/credentialScan.ts), in WebAssembly with 128-bit
;; SIMD: 16 characters a step where JavaScript reads one. scripts/genCredentialScan.ts assembles
;; this text with wabt into policy/lib/credentialScanModule.ts; a test fails while that is stale.
;;
;; Memory holds a text one byte per UTF-16 code unit (Buffer write, "latin1": a code unit above 0xff
;; keeps its low byte, so positions stay the text's and a wide character can only add candidates,
;; which the caller checks on the text itself). A candidate is a position p where the pair of
;; bytes at p and p + 1 is one that every word of the filter holds at a known offset:
;;   "cr"  credential (p), secret (p - 2)       any case: each byte OR 0x20 (an ASCII letter's
;;   "ss"  pass (p - 2)                                    lower case; no other byte becomes one)
;;   "ke"  key (p), token (p - 2)
;;   "//"  :// (p - 1)                          as they are
;;   "_u"  _url (p), "_c" _configs (p)          "_" as it is, the letter in any case
;;   "8d"  a Pulumi secret's signature (p - 30)  as it is: its last two characters, the pair of
;;         it found least (none in the pack benchmark's 100 MB of ConfigMap texts)
;;
;; scan(i, end, out, outEnd) reads the 16-byte steps from i while i < end (bytes up to end + 15 are
;; read: the caller leaves room), and for each step with a candidate writes two i32 at out: the
;; step's address and its lane mask (bit k: a candidate at address + k; bits past the text's end
;; are the caller's to drop). It returns the next free out address, and stores at address 0 the
;; step to go on from: `end` or past it when it read all, else the step after the one that filled
;; the out area (outEnd reached).
;;
;; Measured and not kept: each byte classed by a table per nibble (i8x16.swizzle twice per vector
;; for each of the pair's two bytes, as simdjson classes characters) in place of the eleven
;; compares. Over the pack benchmark's ConfigMap texts (6,578 texts of over 20 characters, 100.9 MB,
;; from distinctResources of every committed stack's export; medians of 9 runs, alternated, in one
;; process, each run's copy into memory 17-21 ms): 83 ms with the tables against 73 with the
;; compares; with i8x16.relaxed_swizzle, 71 and 56 against 72 and 57 (two runs). On x86 a byte
;; lane has no shift of its own and a swizzle needs a saturating add for indexes past 15, so the
;; compares cost no more.
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $i i32) (param $end i32) (param $out i32) (param $outEnd i32) (result i32)
    (local $v v128) (local $w v128) (local $lv v128) (local $lw v128) (local $m i32)
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; The 16 bytes from i, and the 16 from i + 1 (each lane's next byte).
        (local.set $v (v128.load (local.get $i)))
        (local.set $w (v128.load offset=1 (local.get $i)))
        (local.set $lv (v128.or (local.get $v) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))
        (local.set $lw (v128.or (local.get $w) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))
        (local.set $m
          (i8x16.bitmask
            (v128.or
              (v128.or
                ;; "cr"
                (v128.and
                  (i8x16.eq (local.get $lv) (v128.const i8x16 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99))
                  (i8x16.eq (local.get $lw) (v128.const i8x16 114 114 114 114 114 114 114 114 114 114 114 114 114 114 114 114)))
                ;; "ss"
                (v128.and
                  (i8x16.eq (local.get $lv) (v128.const i8x16 115 115 115 115 115 115 115 115 115 115 115 115 115 115 115 115))
                  (i8x16.eq (local.get $lw) (v128.const i8x16 115 115 115 115 115 115 115 115 115 115 115 115 115 115 115 115))))
              (v128.or
                ;; "ke"
                (v128.and
                  (i8x16.eq (local.get $lv) (v128.const i8x16 107 107 107 107 107 107 107 107 107 107 107 107 107 107 107 107))
                  (i8x16.eq (local.get $lw) (v128.const i8x16 101 101 101 101 101 101 101 101 101 101 101 101 101 101 101 101)))
                (v128.or
                  ;; "//"
                  (v128.and
                    (i8x16.eq (local.get $v) (v128.const i8x16 47 47 47 47 47 47 47 47 47 47 47 47 47 47 47 47))
                    (i8x16.eq (local.get $w) (v128.const i8x16 47 47 47 47 47 47 47 47 47 47 47 47 47 47 47 47)))
                  (v128.or
                    ;; "_u" and "_c"
                    (v128.and
                      (i8x16.eq (local.get $v) (v128.const i8x16 95 95 95 95 95 95 95 95 95 95 95 95 95 95 95 95))
                      (v128.or
                        (i8x16.eq (local.get $lw) (v128.const i8x16 117 117 117 117 117 117 117 117 117 117 117 117 117 117 117 117))
                        (i8x16.eq (local.get $lw) (v128.const i8x16 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99))))
                    ;; "8d"
                    (v128.and
                      (i8x16.eq (local.get $v) (v128.const i8x16 56 56 56 56 56 56 56 56 56 56 56 56 56 56 56 56))
                      (i8x16.eq (local.get $w) (v128.const i8x16 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100 100)))))))))
        (if (local.get $m)
          (then
            (i32.store (local.get $out) (local.get $i))
            (i32.store offset=4 (local.get $out) (local.get $m))
            (local.set $out (i32.add (local.get $out) (i32.const 8)))
            (if (i32.ge_u (local.get $out) (local.get $outEnd))
              (then
                (i32.store (i32.const 0) (i32.add (local.get $i) (i32.const 16)))
                (return (local.get $out))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $step)))
    (i32.store (i32.const 0) (local.get $i))
    (local.get $out)))
