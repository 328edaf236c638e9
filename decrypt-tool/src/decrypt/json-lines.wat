;; NDJSON validator in WebAssembly with SIMD128: checks that every non-blank line of a batch is one JSON
;; object (RFC 8259 grammar, any nesting depth) and, for `verify`, reports PersonId and MetricDate values
;; and whether a row's top-level keys differ from the previous row's. json-lines.ts is the only caller and
;; documents the memory layout; `npm run build --workspace decrypt-tool` assembles this file into
;; json-lines-wasm.ts (scripts/build-wasm.cjs), and a test checks the two agree.
;;
;; Strings are scanned 16 bytes at a time (a row of Viva data is ~95 % string bytes); grammar between tokens
;; is scalar. Each line ends with "\n": the caller guarantees that the batch's last byte is one, and every
;; scanner stops at it because it is a control character, not JSON whitespace within a line. Reads may run
;; up to 16 bytes past the end of the batch or of the key buffer; the caller pads both.
;;
;; Helpers return 0 on failure after setting $err (a code below) and $errPos (the offending byte).
(module
  (memory (export "memory") 1)

  ;; Results of the last validate() call.
  (global $lines (export "lines") (mut i32) (i32.const 0))
  (global $rows (export "rows") (mut i32) (i32.const 0))
  (global $blanks (export "blanks") (mut i32) (i32.const 0))
  ;; Where the next call resumes (a line start) after status SUSPENDED.
  (global $resume (export "resume") (mut i32) (i32.const 0))
  (global $errPos (export "errPos") (mut i32) (i32.const 0))
  (global $errLine (export "errLine") (mut i32) (i32.const 0))
  (global $err (mut i32) (i32.const 0))
  ;; Events written since the caller last reset this to 0: 3 × i32 each (kind, start, end).
  (global $events (export "events") (mut i32) (i32.const 0))

  ;; Layout, set by the caller before each batch.
  (global $stack (export "stack") (mut i32) (i32.const 0))        ;; 1 bit per nesting level: 1 = object
  (global $keys (export "keys") (mut i32) (i32.const 0))          ;; previous row's keys, each followed by its '"'
  (global $keysEnd (export "keysEnd") (mut i32) (i32.const 0))    ;; end of those keys; = $keys at a batch start
  (global $eventBase (export "eventBase") (mut i32) (i32.const 0))
  (global $eventCap (export "eventCap") (mut i32) (i32.const 0))
  ;; Per batch, reset by the caller: the last PersonId reported, and the least and greatest plain MetricDate
  ;; (value spans; 0 = none yet).
  (global $personStart (export "personStart") (mut i32) (i32.const 0))
  (global $personEnd (export "personEnd") (mut i32) (i32.const 0))
  (global $minDateStart (export "minDateStart") (mut i32) (i32.const 0))
  (global $minDateEnd (export "minDateEnd") (mut i32) (i32.const 0))
  (global $maxDateStart (export "maxDateStart") (mut i32) (i32.const 0))
  (global $maxDateEnd (export "maxDateEnd") (mut i32) (i32.const 0))

  ;; Status codes returned by validate(); codes from 2 on are errors (json-lines.ts has their messages).
  ;; 0 OK, 1 SUSPENDED (events to read), 2 NOT_OBJECT, 3 END_OF_LINE, 4 AFTER_OBJECT, 5 EXPECTED_OBJECT_SEPARATOR,
  ;; 6 EXPECTED_ARRAY_SEPARATOR, 7 EXPECTED_NAME, 8 EXPECTED_COLON, 9 UNTERMINATED_STRING, 10 CONTROL_CHARACTER,
  ;; 11 BAD_UNICODE_ESCAPE, 12 BAD_ESCAPE, 13 BAD_NUMBER, 14 UNEXPECTED_CHARACTER
  ;; Event kinds: 1 PERSON_ID (value span inside the quotes; only when it differs from the last one reported),
  ;; 2 METRIC_DATE (same; only values with escapes or non-ASCII bytes, the rest go into $minDate…/$maxDate…),
  ;; 3 KEYS_CHANGED (line span; the row's keys are in [$keys, $keysEnd) until the next call, which is why
  ;; validate() suspends after it).

  (func $fail (param $code i32) (param $pos i32) (result i32)
    (global.set $err (local.get $code))
    (global.set $errPos (local.get $pos))
    (i32.const 0))

  ;; Skips JSON whitespace other than "\n" (which ends the line).
  (func $ws (param $p i32) (result i32)
    (local $c i32)
    (loop $next
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x09)))
                  (i32.eq (local.get $c) (i32.const 0x0d)))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $next))))
    (local.get $p))

  (func $isHex (param $c i32) (result i32)
    (i32.or (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10))
            (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)) (i32.const 6))))

  ;; A string at $p (its opening quote); returns the offset after the closing quote.
  (func $string (param $p i32) (result i32)
    (local $v v128) (local $m i32) (local $c i32)
    (local $quotes v128) (local $backslashes v128) (local $spaces v128)
    (local.set $quotes (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22))
    (local.set $backslashes (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c))
    (local.set $spaces (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $chunk
      ;; Bytes that end the fast path: '"', '\\' and control characters.
      (local.set $v (v128.load (local.get $p)))
      (local.set $m (i8x16.bitmask
        (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $quotes)) (i8x16.eq (local.get $v) (local.get $backslashes)))
                 (i8x16.lt_u (local.get $v) (local.get $spaces)))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $chunk)))
      (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (i32.add (local.get $p) (i32.const 1)))))
      (if (i32.eq (local.get $c) (i32.const 0x5c))
        (then
          (local.set $c (i32.load8_u offset=1 (local.get $p)))
          (if (i32.eq (local.get $c) (i32.const 0x75)) ;; \uXXXX
            (then
              (if (i32.and
                    (i32.and (call $isHex (i32.load8_u offset=2 (local.get $p))) (call $isHex (i32.load8_u offset=3 (local.get $p))))
                    (i32.and (call $isHex (i32.load8_u offset=4 (local.get $p))) (call $isHex (i32.load8_u offset=5 (local.get $p)))))
                (then
                  (local.set $p (i32.add (local.get $p) (i32.const 6)))
                  (br $chunk)))
              (return (call $fail (i32.const 11) (local.get $p)))))
          ;; \" \\ \/ \b \f \n \r \t
          (if (i32.or
                (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c)))
                        (i32.or (i32.eq (local.get $c) (i32.const 0x2f)) (i32.eq (local.get $c) (i32.const 0x62))))
                (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x66)) (i32.eq (local.get $c) (i32.const 0x6e)))
                        (i32.or (i32.eq (local.get $c) (i32.const 0x72)) (i32.eq (local.get $c) (i32.const 0x74)))))
            (then
              (local.set $p (i32.add (local.get $p) (i32.const 2)))
              (br $chunk)))
          (return (call $fail (i32.const 12) (local.get $p)))))
      (if (i32.eq (local.get $c) (i32.const 0x0a)) (then (return (call $fail (i32.const 9) (local.get $p)))))
      (return (call $fail (i32.const 10) (local.get $p))))
    (unreachable))

  ;; The offset of the first byte at or after $p that is not an ASCII digit.
  (func $digits (param $p i32) (result i32)
    (local $m i32)
    (loop $chunk
      (local.set $m (i8x16.bitmask (i8x16.gt_u
        (i8x16.sub (v128.load (local.get $p)) (v128.const i8x16 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30 0x30))
        (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $chunk))))
    (i32.add (local.get $p) (i32.ctz (local.get $m))))

  (func $isDigit (param $c i32) (result i32)
    (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)))

  ;; A number at $p ('-' or a digit): -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  (func $number (param $p i32) (result i32)
    (local $c i32)
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 0x2d))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $p)))))
    (if (i32.eq (local.get $c) (i32.const 0x30))
      (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
      (else
        (if (i32.eqz (call $isDigit (local.get $c))) (then (return (call $fail (i32.const 13) (local.get $p)))))
        (local.set $p (call $digits (i32.add (local.get $p) (i32.const 1))))))
    (local.set $c (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 0x2e))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (if (i32.eqz (call $isDigit (i32.load8_u (local.get $p)))) (then (return (call $fail (i32.const 13) (local.get $p)))))
        (local.set $p (call $digits (i32.add (local.get $p) (i32.const 1))))
        (local.set $c (i32.load8_u (local.get $p)))))
    (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x65)) ;; e or E
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d)))
          (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
        (if (i32.eqz (call $isDigit (i32.load8_u (local.get $p)))) (then (return (call $fail (i32.const 13) (local.get $p)))))
        (local.set $p (call $digits (i32.add (local.get $p) (i32.const 1))))))
    (local.get $p))

  ;; true, false or null at $p (first byte $c); anything else is an error.
  (func $literal (param $p i32) (param $c i32) (result i32)
    (if (i32.and (i32.eq (local.get $c) (i32.const 0x74)) (i32.eq (i32.load (local.get $p)) (i32.const 0x65757274))) ;; "true"
      (then (return (i32.add (local.get $p) (i32.const 4)))))
    (if (i32.and (i32.eq (local.get $c) (i32.const 0x66)) (i32.eq (i32.load offset=1 (local.get $p)) (i32.const 0x65736c61))) ;; "alse"
      (then (return (i32.add (local.get $p) (i32.const 5)))))
    (if (i32.and (i32.eq (local.get $c) (i32.const 0x6e)) (i32.eq (i32.load (local.get $p)) (i32.const 0x6c6c756e))) ;; "null"
      (then (return (i32.add (local.get $p) (i32.const 4)))))
    (if (i32.eq (local.get $c) (i32.const 0x0a)) (then (return (call $fail (i32.const 3) (local.get $p)))))
    (call $fail (i32.const 14) (local.get $p)))

  ;; 1 when the $n bytes at $a and $b are equal.
  (func $equal (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $m i32)
    (loop $chunk
      (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (if (i32.lt_u (local.get $n) (i32.const 16))
        (then
          (return (i32.eq (i32.and (local.get $m) (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1)))
                          (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1))))))
      (if (i32.ne (local.get $m) (i32.const 0xffff)) (then (return (i32.const 0))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 16)))
      (br_if $chunk (local.get $n)))
    (i32.const 1))

  ;; Copies $n bytes from $from to $to, in 16-byte pieces (may write up to 15 bytes past $to + $n).
  (func $copy (param $to i32) (param $from i32) (param $n i32)
    (loop $chunk
      (v128.store (local.get $to) (v128.load (local.get $from)))
      (local.set $to (i32.add (local.get $to) (i32.const 16)))
      (local.set $from (i32.add (local.get $from) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 16)))
      (br_if $chunk (i32.gt_s (local.get $n) (i32.const 0)))))

  ;; 1 when [$a, $ae) and [$b, $be) hold the same bytes ($b = 0: no text).
  (func $sameText (param $a i32) (param $ae i32) (param $b i32) (param $be i32) (result i32)
    (if (i32.eqz (local.get $b)) (then (return (i32.const 0))))
    (if (i32.ne (i32.sub (local.get $ae) (local.get $a)) (i32.sub (local.get $be) (local.get $b))) (then (return (i32.const 0))))
    (call $equal (local.get $a) (local.get $b) (i32.sub (local.get $ae) (local.get $a))))

  ;; 1 when [$p, $end) is ASCII without escapes: its bytes then order as JavaScript orders the string.
  (func $plainAscii (param $p i32) (param $end i32) (result i32)
    (local $v v128) (local $m i32) (local $n i32)
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_s (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $m (i32.or (i8x16.bitmask (local.get $v))
          (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c)))))
        (local.set $n (i32.sub (local.get $end) (local.get $p)))
        (if (i32.lt_u (local.get $n) (i32.const 16))
          (then (local.set $m (i32.and (local.get $m) (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1))))))
        (if (local.get $m) (then (return (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $chunk)))
    (i32.const 1))

  ;; Byte-wise order of [$a, $ae) and [$b, $be): negative, 0 or positive.
  (func $compare (param $a i32) (param $ae i32) (param $b i32) (param $be i32) (result i32)
    (local $n i32) (local $m i32) (local $k i32)
    (local.set $n (select (i32.sub (local.get $ae) (local.get $a)) (i32.sub (local.get $be) (local.get $b))
      (i32.lt_u (i32.sub (local.get $ae) (local.get $a)) (i32.sub (local.get $be) (local.get $b)))))
    (block $done
      (loop $chunk
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $m (i32.xor (i8x16.bitmask (i8x16.eq (v128.load (local.get $a)) (v128.load (local.get $b)))) (i32.const 0xffff)))
        (if (i32.lt_u (local.get $n) (i32.const 16))
          (then (local.set $m (i32.and (local.get $m) (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1))))))
        (if (local.get $m)
          (then
            (local.set $k (i32.ctz (local.get $m)))
            (return (i32.sub (i32.load8_u (i32.add (local.get $a) (local.get $k))) (i32.load8_u (i32.add (local.get $b) (local.get $k)))))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 16)))
        (br $chunk)))
    (i32.sub (i32.sub (local.get $ae) (local.get $a)) (i32.sub (local.get $be) (local.get $b))))

  (func $emit (param $kind i32) (param $start i32) (param $end i32)
    (local $at i32)
    (local.set $at (i32.add (global.get $eventBase) (i32.mul (global.get $events) (i32.const 12))))
    (i32.store (local.get $at) (local.get $kind))
    (i32.store offset=4 (local.get $at) (local.get $start))
    (i32.store offset=8 (local.get $at) (local.get $end))
    (global.set $events (i32.add (global.get $events) (i32.const 1))))

  ;; Validates the lines in [$p, $end); $end - 1 holds "\n". With $stats, reports events (see above) and
  ;; returns SUSPENDED when the caller must read them before it calls again from $resume.
  (func (export "validate") (param $p i32) (param $end i32) (param $stats i32) (result i32)
    (local $c i32) (local $q i32) (local $depth i32) (local $inObject i32) (local $lineStart i32)
    (local $ks i32) (local $n i32) (local $expect i32) (local $kp i32) (local $changed i32)
    (local $ps i32) (local $pe i32) (local $ds i32) (local $de i32)
    (local $v v128) (local $m i32) (local $quotes v128) (local $backslashes v128) (local $spaces v128)
    (local.set $quotes (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22))
    (local.set $backslashes (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c))
    (local.set $spaces (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
    (global.set $lines (i32.const 0))
    (global.set $rows (i32.const 0))
    (global.set $blanks (i32.const 0))
    (loop $line
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (global.set $resume (local.get $p)) (return (i32.const 0))))
      ;; Room for a row's events (at most 3), or let the caller read them first.
      (if (i32.and (local.get $stats) (i32.gt_u (i32.add (global.get $events) (i32.const 3)) (global.get $eventCap)))
        (then (global.set $resume (local.get $p)) (return (i32.const 1))))
      (global.set $lines (i32.add (global.get $lines) (i32.const 1)))
      (local.set $lineStart (local.get $p))
      (global.set $errLine (local.get $p))
      (local.set $c (i32.load8_u (local.get $p)))
      (if (i32.le_u (local.get $c) (i32.const 0x20))
        (then (local.set $p (call $ws (local.get $p))) (local.set $c (i32.load8_u (local.get $p)))))
      (if (i32.eq (local.get $c) (i32.const 0x0a))
        (then
          (global.set $blanks (i32.add (global.get $blanks) (i32.const 1)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $line)))
      (if (i32.ne (local.get $c) (i32.const 0x7b)) (then (global.set $errPos (local.get $p)) (return (i32.const 2))))
      (local.set $depth (i32.const 0))
      (local.set $kp (global.get $keys))
      (local.set $changed (i32.const 0))
      (local.set $ps (i32.const 0))
      (local.set $ds (i32.const 0))
      (local.set $expect (i32.const 0))
      ;; Invariant at $value and $key: $p is at a non-whitespace byte and $c holds it.
      (loop $value
        (block $key
          (block $after
            ;; '{' or '['
            (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
              (then
                (local.set $q (i32.add (local.get $c) (i32.const 2))) ;; its closing bracket
                (local.set $n (i32.eq (local.get $c) (i32.const 0x7b)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (local.set $c (i32.load8_u (local.get $p)))
                (if (i32.le_u (local.get $c) (i32.const 0x20))
                  (then (local.set $p (call $ws (local.get $p))) (local.set $c (i32.load8_u (local.get $p)))))
                (if (i32.eq (local.get $c) (local.get $q))
                  (then (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $after)))
                ;; Push: bit $depth of the stack says whether this level is an object.
                (local.set $q (i32.add (global.get $stack) (i32.shr_u (local.get $depth) (i32.const 3))))
                (i32.store8 (local.get $q)
                  (i32.or
                    (i32.and (i32.load8_u (local.get $q)) (i32.xor (i32.shl (i32.const 1) (i32.and (local.get $depth) (i32.const 7))) (i32.const -1)))
                    (i32.shl (local.get $n) (i32.and (local.get $depth) (i32.const 7)))))
                (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
                (local.set $inObject (local.get $n))
                (br_if $key (local.get $inObject))
                (br $value)))
            (if (i32.eq (local.get $c) (i32.const 0x22))
              (then
            ;; The common string, inline: no escape or control character before its closing quote. Anything
            ;; else goes to $string from the start.
            (local.set $q (i32.add (local.get $p) (i32.const 1)))
            (loop $chunk
              (local.set $v (v128.load (local.get $q)))
              (local.set $m (i8x16.bitmask
                (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $quotes)) (i8x16.eq (local.get $v) (local.get $backslashes)))
                         (i8x16.lt_u (local.get $v) (local.get $spaces)))))
              (if (i32.eqz (local.get $m))
                (then
                  (local.set $q (i32.add (local.get $q) (i32.const 16)))
                  (br $chunk))))
            (local.set $q (i32.add (local.get $q) (i32.ctz (local.get $m))))
            (if (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x22))
              (then (local.set $q (i32.add (local.get $q) (i32.const 1))))
              (else (local.set $q (call $string (local.get $p)))))
                (if (i32.eqz (local.get $q)) (then (return (global.get $err))))
                (if (i32.and (i32.ne (local.get $expect) (i32.const 0)) (i32.eq (local.get $depth) (i32.const 1)))
                  (then
                    (if (i32.eq (local.get $expect) (i32.const 1))
                      (then (local.set $ps (i32.add (local.get $p) (i32.const 1))) (local.set $pe (i32.sub (local.get $q) (i32.const 1))))
                      (else (local.set $ds (i32.add (local.get $p) (i32.const 1))) (local.set $de (i32.sub (local.get $q) (i32.const 1)))))))
                (local.set $p (local.get $q))
                (br $after)))
            (if (i32.or (i32.eq (local.get $c) (i32.const 0x2d)) (call $isDigit (local.get $c)))
              (then (local.set $p (call $number (local.get $p))))
              (else (local.set $p (call $literal (local.get $p) (local.get $c)))))
            (if (i32.eqz (local.get $p)) (then (return (global.get $err)))))
          ;; After a value: close containers, end the row, or go on to the next element.
          (loop $close
            (local.set $c (i32.load8_u (local.get $p)))
            (if (i32.le_u (local.get $c) (i32.const 0x20))
              (then (local.set $p (call $ws (local.get $p))) (local.set $c (i32.load8_u (local.get $p)))))
            (if (i32.eqz (local.get $depth))
              (then
                (if (i32.ne (local.get $c) (i32.const 0x0a)) (then (global.set $errPos (local.get $p)) (return (i32.const 4))))
                (global.set $rows (i32.add (global.get $rows) (i32.const 1)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (if (local.get $stats)
                  (then
                    (if (local.get $ps)
                      (then
                        (if (i32.eqz (call $sameText (local.get $ps) (local.get $pe) (global.get $personStart) (global.get $personEnd)))
                          (then
                            (call $emit (i32.const 1) (local.get $ps) (local.get $pe))
                            (global.set $personStart (local.get $ps))
                            (global.set $personEnd (local.get $pe))))))
                    (if (local.get $ds)
                      (then
                        (if (call $plainAscii (local.get $ds) (local.get $de))
                          (then
                            (if (i32.or (i32.eqz (global.get $minDateStart))
                                        (i32.lt_s (call $compare (local.get $ds) (local.get $de) (global.get $minDateStart) (global.get $minDateEnd)) (i32.const 0)))
                              (then (global.set $minDateStart (local.get $ds)) (global.set $minDateEnd (local.get $de))))
                            (if (i32.or (i32.eqz (global.get $maxDateStart))
                                        (i32.gt_s (call $compare (local.get $ds) (local.get $de) (global.get $maxDateStart) (global.get $maxDateEnd)) (i32.const 0)))
                              (then (global.set $maxDateStart (local.get $ds)) (global.set $maxDateEnd (local.get $de)))))
                          (else (call $emit (i32.const 2) (local.get $ds) (local.get $de))))))
                    (if (i32.or (local.get $changed) (i32.ne (local.get $kp) (global.get $keysEnd)))
                      (then
                        (global.set $keysEnd (local.get $kp))
                        (call $emit (i32.const 3) (local.get $lineStart) (local.get $p))
                        (global.set $resume (local.get $p))
                        (return (i32.const 1))))))
                (br $line)))
            (if (i32.eq (local.get $c) (i32.const 0x2c))
              (then
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (local.set $c (i32.load8_u (local.get $p)))
                (if (i32.le_u (local.get $c) (i32.const 0x20))
                  (then (local.set $p (call $ws (local.get $p))) (local.set $c (i32.load8_u (local.get $p)))))
                (br_if $key (local.get $inObject))
                (br $value)))
            (if (i32.eq (local.get $c) (select (i32.const 0x7d) (i32.const 0x5d) (local.get $inObject)))
              (then
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                (if (local.get $depth)
                  (then
                    (local.set $q (i32.sub (local.get $depth) (i32.const 1)))
                    (local.set $inObject
                      (i32.and (i32.shr_u (i32.load8_u (i32.add (global.get $stack) (i32.shr_u (local.get $q) (i32.const 3))))
                                          (i32.and (local.get $q) (i32.const 7)))
                               (i32.const 1)))))
                (br $close)))
            (global.set $errPos (local.get $p))
            (if (i32.eq (local.get $c) (i32.const 0x0a)) (then (return (i32.const 3))))
            (return (select (i32.const 5) (i32.const 6) (local.get $inObject)))))
        ;; A member of an object: "name" : value
        (if (i32.ne (local.get $c) (i32.const 0x22)) (then (global.set $errPos (local.get $p)) (return (i32.const 7))))
        ;; The common string, inline: no escape or control character before its closing quote. Anything
        ;; else goes to $string from the start.
        (local.set $q (i32.add (local.get $p) (i32.const 1)))
        (loop $chunk
          (local.set $v (v128.load (local.get $q)))
          (local.set $m (i8x16.bitmask
            (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $quotes)) (i8x16.eq (local.get $v) (local.get $backslashes)))
                     (i8x16.lt_u (local.get $v) (local.get $spaces)))))
          (if (i32.eqz (local.get $m))
            (then
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (br $chunk))))
        (local.set $q (i32.add (local.get $q) (i32.ctz (local.get $m))))
        (if (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x22))
          (then (local.set $q (i32.add (local.get $q) (i32.const 1))))
          (else (local.set $q (call $string (local.get $p)))))
        (if (i32.eqz (local.get $q)) (then (return (global.get $err))))
        (if (i32.and (local.get $stats) (i32.eq (local.get $depth) (i32.const 1)))
          (then
            (local.set $ks (i32.add (local.get $p) (i32.const 1)))
            (local.set $n (i32.sub (local.get $q) (local.get $ks))) ;; the name and its closing quote
            (local.set $expect (i32.const 0))
            (if (i32.eq (local.get $n) (i32.const 9))
              (then (local.set $expect (i64.eq (i64.load (local.get $ks)) (i64.const 0x64496e6f73726550))))) ;; "PersonId"
            (if (i32.eq (local.get $n) (i32.const 11))
              (then
                (if (i32.and (i64.eq (i64.load (local.get $ks)) (i64.const 0x614463697274654d)) ;; "MetricDa"
                             (i32.eq (i32.load16_u offset=8 (local.get $ks)) (i32.const 0x6574))) ;; "te"
                  (then (local.set $expect (i32.const 2))))))
            ;; Same keys as the previous row so far? Once not, this row's keys replace the rest of the buffer.
            (if (i32.eqz (local.get $changed))
              (then
                (local.set $changed (i32.const 1))
                (if (i32.le_u (i32.add (local.get $kp) (local.get $n)) (global.get $keysEnd))
                  (then
                    ;; Most names fit in 16 bytes; longer ones go to $equal.
                    (if (i32.le_u (local.get $n) (i32.const 16))
                      (then
                        (local.set $m (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1)))
                        (local.set $changed (i32.ne (local.get $m)
                          (i32.and (local.get $m) (i8x16.bitmask (i8x16.eq (v128.load (local.get $ks)) (v128.load (local.get $kp))))))))
                      (else (local.set $changed (i32.eqz (call $equal (local.get $ks) (local.get $kp) (local.get $n))))))))))
            (if (local.get $changed) (then (call $copy (local.get $kp) (local.get $ks) (local.get $n))))
            (local.set $kp (i32.add (local.get $kp) (local.get $n)))))
        (local.set $p (local.get $q))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.le_u (local.get $c) (i32.const 0x20))
          (then (local.set $p (call $ws (local.get $p))) (local.set $c (i32.load8_u (local.get $p)))))
        (if (i32.ne (local.get $c) (i32.const 0x3a)) (then (global.set $errPos (local.get $p)) (return (i32.const 8))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.le_u (local.get $c) (i32.const 0x20))
          (then (local.set $p (call $ws (local.get $p))) (local.set $c (i32.load8_u (local.get $p)))))
        (br $value)))
    (unreachable))
)
