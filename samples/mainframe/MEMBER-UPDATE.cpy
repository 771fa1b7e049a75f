      * Sample layout: a member update record from a payer's eligibility
      * system (synthetic data only). Fixed 120-byte records, CCSID 037.
       01  MEMBER-UPDATE.
           05  MEMBER-ID              PIC X(10).
           05  UPDATE-TYPE            PIC X(1).
               88  ADDRESS-CHANGE     VALUE 'A'.
               88  PLAN-CHANGE        VALUE 'P'.
           05  EFFECTIVE-DATE         PIC 9(8).
           05  MEMBER-NAME.
               10  LAST-NAME          PIC X(20).
               10  FIRST-NAME         PIC X(15).
           05  PLAN-CODE              PIC X(8).
           05  MONTHLY-PREMIUM        PIC S9(5)V99 COMP-3.
           05  YTD-CLAIMS-PAID        PIC S9(7)V99 COMP-3.
           05  DEPENDENT-COUNT        PIC 9(2) COMP.
           05  ZIP-CODE               PIC X(10).
           05  FILLER                 PIC X(37).
