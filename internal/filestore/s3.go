package filestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// partSize is the size of each part of a multipart upload but the last (S3's minimum): a file
// larger than one part is sent as several, so no more than one part is held in memory.
const partSize = 5 << 20

// S3Config locates an S3-compatible bucket (AWS, MinIO, Cloudflare R2, Backblaze B2, ...).
type S3Config struct {
	Bucket string
	// Endpoint is the service's URL; empty means AWS's for Region.
	Endpoint string
	Region   string
	// AccessKeyID and SecretAccessKey sign the requests.
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle addresses the bucket in the path (endpoint/bucket/key), as MinIO and most
	// S3-compatible services want, instead of a bucket subdomain.
	PathStyle bool
}

// S3 keeps files as objects of one bucket, named by their key.
type S3 struct {
	client *s3.Client
	bucket string
}

// NewS3 returns the S3 backend for cfg. It makes no request: a wrong bucket or credentials
// show at the first Put.
func NewS3(cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("filestore: the S3 store needs a bucket")
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	opts := s3.Options{
		Region:       region,
		UsePathStyle: cfg.PathStyle,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: cfg.AccessKeyID, SecretAccessKey: cfg.SecretAccessKey}, nil
		}),
		// Checksums only where S3 demands them: the body of each request is a part in memory,
		// signed whole, and many S3-compatible services refuse the trailing checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	return &S3{client: s3.New(opts), bucket: cfg.Bucket}, nil
}

// Put implements Store: a file that fits one part is one PutObject; a larger one is a multipart
// upload, aborted when r fails so that no part stays behind.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	buf := make([]byte, partSize)
	n, rerr := io.ReadFull(r, buf)
	if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
		return 0, fmt.Errorf("filestore: put %s: %w", key, rerr)
	}
	if rerr != nil {
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: &key,
			Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n))})
		if err != nil {
			return 0, fmt.Errorf("filestore: put %s: %w", key, err)
		}
		return int64(n), nil
	}
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return 0, fmt.Errorf("filestore: put %s: %w", key, err)
	}
	total, err := s.parts(ctx, key, up.UploadId, r, buf, n)
	if err != nil {
		// A fresh context: the request's may be what was cancelled.
		_, _ = s.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &key, UploadId: up.UploadId})
		return 0, fmt.Errorf("filestore: put %s: %w", key, err)
	}
	return total, nil
}

// parts uploads the first part (buf[:n]) and the rest of r, then completes the upload.
func (s *S3) parts(ctx context.Context, key string, uploadID *string, r io.Reader, buf []byte, n int) (int64, error) {
	var done []types.CompletedPart
	var total int64
	for num := int32(1); ; num++ {
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &s.bucket, Key: &key, UploadId: uploadID,
			PartNumber: aws.Int32(num), Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n))})
		if err != nil {
			return 0, err
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
		total += int64(n)
		var rerr error
		n, rerr = io.ReadFull(r, buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return 0, rerr
		}
		if n == 0 {
			break
		}
	}
	_, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &s.bucket, Key: &key,
		UploadId: uploadID, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// Open implements Store.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		if missing(err) {
			return nil, fmt.Errorf("filestore: open %s: %w", key, ErrNotFound)
		}
		return nil, fmt.Errorf("filestore: open %s: %w", key, err)
	}
	return out.Body, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key}); err != nil && !missing(err) {
		return fmt.Errorf("filestore: delete %s: %w", key, err)
	}
	return nil
}

// missing reports whether err is S3's answer for an object that is not there.
func missing(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")
}
