      * Sample layouts: a claim-status inquiry and its answer, exchanged
      * over MQ between a provider portal and the claims system (synthetic
      * data only). Payloads are EBCDIC (CCSID 037), fixed length.
       01  CLAIM-STATUS-REQUEST.
           05  REQ-CLAIM-ID           PIC X(15).
           05  REQ-MEMBER-ID          PIC X(10).
           05  REQ-PROVIDER-NPI       PIC X(10).
           05  REQ-SERVICE-DATE       PIC 9(6).
       01  CLAIM-STATUS-REPLY.
           05  RPL-CLAIM-ID           PIC X(15).
           05  RPL-MEMBER-ID          PIC X(10).
           05  RPL-STATUS-CODE        PIC X(2).
               88  RPL-FINALIZED      VALUES 'F1' 'F2'.
               88  RPL-PENDING        VALUE 'P1'.
           05  RPL-STATUS-DATE        PIC 9(8).
           05  RPL-STATUS-TIME        PIC 9(6).
           05  RPL-PAID-AMOUNT        PIC S9(7)V99 COMP-3.
           05  RPL-CHECK-NUMBER       PIC X(10).
           05  RPL-ADJUDICATED-JULIAN PIC 9(5).
