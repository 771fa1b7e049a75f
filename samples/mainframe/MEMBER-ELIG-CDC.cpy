      * Sample layout: a DB2 for z/OS change-data-capture record for the
      * member eligibility table (synthetic data only). Fixed 205-byte
      * records, CCSID 037: a header with the operation and commit time,
      * then the row's before image and after image (same field names,
      * qualified by their group).
       01  MEMBER-ELIG-CHANGE.
           05  CDC-OPERATION          PIC X(1).
               88  CDC-INSERT         VALUE 'I'.
               88  CDC-UPDATE         VALUE 'U'.
               88  CDC-DELETE         VALUE 'D'.
           05  CDC-TABLE              PIC X(18).
           05  CDC-COMMIT-DATE        PIC 9(8).
           05  CDC-COMMIT-TIME        PIC 9(6).
           05  BEFORE-IMAGE.
               10  MEMBER-ID          PIC X(10).
               10  LAST-NAME          PIC X(20).
               10  FIRST-NAME         PIC X(15).
               10  BIRTH-DATE         PIC 9(8).
               10  PLAN-CODE          PIC X(8).
               10  COVERAGE-START     PIC S9(7) COMP-3.
               10  COVERAGE-END       PIC 9(7).
               10  ELIG-STATUS        PIC X(1).
                   88  ELIG-ACTIVE    VALUE 'A'.
                   88  ELIG-TERMED    VALUE 'T'.
               10  MONTHLY-PREMIUM    PIC S9(5)V99 COMP-3.
               10  MEMBER-SSN         PIC X(9).
           05  AFTER-IMAGE.
               10  MEMBER-ID          PIC X(10).
               10  LAST-NAME          PIC X(20).
               10  FIRST-NAME         PIC X(15).
               10  BIRTH-DATE         PIC 9(8).
               10  PLAN-CODE          PIC X(8).
               10  COVERAGE-START     PIC S9(7) COMP-3.
               10  COVERAGE-END       PIC 9(7).
               10  ELIG-STATUS        PIC X(1).
                   88  ELIG-ACTIVE    VALUE 'A'.
                   88  ELIG-TERMED    VALUE 'T'.
               10  MONTHLY-PREMIUM    PIC S9(5)V99 COMP-3.
               10  MEMBER-SSN         PIC X(9).
