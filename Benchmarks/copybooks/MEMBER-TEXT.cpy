      * Benchmark layout: a text-heavy 500-byte member record (issue 3).
       01  MEMBER-RECORD.
           05  MEMBER-ID                  PIC X(12).
           05  MEMBER-NAME.
               10  LAST-NAME              PIC X(35).
               10  FIRST-NAME             PIC X(25).
               10  MIDDLE-INITIAL         PIC X(1).
           05  BIRTH-DATE                 PIC 9(8).
           05  GENDER-CODE                PIC X(1).
           05  HOME-ADDRESS.
               10  ADDRESS-LINE-1         PIC X(55).
               10  ADDRESS-LINE-2         PIC X(55).
               10  CITY                   PIC X(30).
               10  STATE-CODE             PIC X(2).
               10  ZIP-CODE               PIC X(10).
           05  MAILING-ADDRESS.
               10  ADDRESS-LINE-1         PIC X(55).
               10  ADDRESS-LINE-2         PIC X(55).
               10  CITY                   PIC X(30).
               10  STATE-CODE             PIC X(2).
               10  ZIP-CODE               PIC X(10).
           05  PHONE-NUMBER               PIC X(15).
           05  EMAIL-ADDRESS              PIC X(52).
           05  PLAN-CODE                  PIC X(8).
           05  GROUP-NUMBER               PIC X(12).
           05  COVERAGE-START             PIC 9(8).
           05  COVERAGE-END               PIC 9(8).
           05  PREMIUM-AMOUNT             PIC S9(7)V99.
           05  FILLER                     PIC X(2).
