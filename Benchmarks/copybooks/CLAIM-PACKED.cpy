      * Benchmark layout: a COMP-3-heavy claim summary record with 40 numeric fields (issue 3).
       01  CLAIM-TOTALS.
           05  CLAIM-ID                   PIC X(15).
           05  MEMBER-ID                  PIC X(12).
           05  SERVICE-DATE               PIC 9(8)        COMP-3.
           05  PAID-DATE                  PIC 9(8)        COMP-3.
           05  LINE-COUNT                 PIC S9(3)       COMP-3.
           05  BILLED-AMOUNT              PIC S9(9)V99    COMP-3.
           05  ALLOWED-AMOUNT             PIC S9(9)V99    COMP-3.
           05  PAID-AMOUNT                PIC S9(9)V99    COMP-3.
           05  COPAY-AMOUNT               PIC S9(7)V99    COMP-3.
           05  COINSURANCE-AMOUNT         PIC S9(7)V99    COMP-3.
           05  DEDUCTIBLE-AMOUNT          PIC S9(7)V99    COMP-3.
           05  DISCOUNT-RATE              PIC S9(3)V9(4)  COMP-3.
           05  ACCUMULATORS.
               10  YEAR-TO-DATE-PAID      PIC S9(11)V99   COMP-3.
               10  LIFETIME-PAID          PIC S9(13)V99   COMP-3.
               10  OUT-OF-POCKET          PIC S9(7)V99    COMP-3.
               10  OUT-OF-POCKET-MAX      PIC S9(7)V99    COMP-3.
           05  LINE-AMOUNTS    PIC S9(7)V99 COMP-3 OCCURS 24 TIMES.
           05  ADJUSTMENT-CODE            PIC S9(4)       COMP-3.
           05  PROVIDER-ID                PIC 9(10)       COMP-3.
